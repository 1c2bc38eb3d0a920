"""Every spec shipped under ``specs/`` validates with ``gan-engine check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from containers.cli.main import main

SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.yaml"))


def test_every_domain_has_a_spec() -> None:
    names = {path.stem for path in SPECS}
    assert {
        "quickstart",
        "rrdb_rgb_x4",
        "sentinel2_rcab_x2",
        "srresnet3d_x2",
        "microscopy_x2",
        "video_x2",
    } <= names


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.stem)
def test_spec_is_valid(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(path)]) == 0, capsys.readouterr().err
    assert "valid" in capsys.readouterr().out
