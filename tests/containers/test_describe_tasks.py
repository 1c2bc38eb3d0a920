"""``gan-engine components task`` and the conditioning facts of component listings."""

from __future__ import annotations

import pytest

from containers.cli.describe import conditioning_facts
from containers.cli.main import main
from gan_engine.registry import Capabilities


def test_components_task_lists_super_resolution(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["components", "task"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tasks:\n")
    assert "  super_resolution  [2d, 3d]  LR → SR against HR" in out


def test_conditioning_facts_name_what_components_accept_and_tasks_feed() -> None:
    assert conditioning_facts(Capabilities()) == []
    caps = Capabilities(
        conditioning=frozenset({"mask", "embedding"}),
        generator_needs=frozenset({"mask"}),
        discriminator_needs=frozenset({"tokens", "mask"}),
    )
    assert conditioning_facts(caps) == [
        "conditioning: embedding, mask",
        "feeds the generator: mask",
        "feeds the discriminator: mask, tokens",
    ]
