"""The opensr-srgan reference fixtures (made by scripts/make_opensr_fixtures.py with the real package)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "opensr"

CASES = (
    "srresnet_standard",
    "flexible_res",
    "flexible_rcab",
    "flexible_rrdb",
    "flexible_lka",
    "esrgan",
    "stochastic",
)
"""One fixture per opensr-srgan generator layout (flexible_rcab with EMA weights)."""
