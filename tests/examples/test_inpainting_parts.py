"""The inpainting example runs as the concepts page shows it."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_inpainting_parts_example(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(REPO / "examples" / "inpainting_parts.py"), run_name="__main__")
    out = capsys.readouterr().out
    ratio = re.search(r"validation mask 0: (\d+\.\d)% holes \((thin|medium|thick)\)", out)
    assert ratio, out
    assert 10.0 <= float(ratio.group(1)) <= 32.0
    errors = re.search(r"untrained U-Net (\d\.\d+), biharmonic (\d\.\d+)", out)
    assert errors, out
    assert float(errors.group(2)) < 0.01  # a smooth image: the classical fill is nearly exact
