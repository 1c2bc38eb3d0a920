"""The model-zoo specs validate with ``gan-engine check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from containers.cli.main import main

SPECS = Path(__file__).resolve().parents[2] / "specs"


@pytest.mark.parametrize("name", ["rrdb_rgb_x4", "rcab_multispectral_x2"])
def test_spec_is_valid(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SPECS / f"{name}.yaml")]) == 0, capsys.readouterr().err
    assert "valid" in capsys.readouterr().out
