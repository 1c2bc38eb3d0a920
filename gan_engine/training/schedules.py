"""Weight ramps driven by step counters."""

from __future__ import annotations

import math
from typing import Literal


def ramp(step: int, length: int, shape: Literal["linear", "cosine"] = "linear") -> float:
    """Factor in ``[0, 1]`` that rises from 0 at ``step == 0`` to 1 at ``step >= length``.

    ``linear`` rises evenly; ``cosine`` eases in and out (``0.5 · (1 − cos(π·t))``). A ``length`` of 0
    means no ramp: 1 from the first step. Negative steps (before the ramp starts) give 0.
    """
    if length < 0:
        msg = f"ramp length must be >= 0, got {length}"
        raise ValueError(msg)
    if step < 0:
        return 0.0
    if length == 0 or step >= length:
        return 1.0
    t = step / length
    if shape == "linear":
        return t
    return 0.5 * (1.0 - math.cos(math.pi * t))
