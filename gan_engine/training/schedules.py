"""Weight ramps driven by step counters."""

from __future__ import annotations

import math
from typing import Literal

import attrs

from gan_engine.params import at_least


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


@attrs.frozen
class WeightSchedule:
    """How a loss term's weight follows the generator step.

    The effective weight is ``weight · factor(step)``: 0 before ``start`` (a warm-up delay), then the
    full weight (``constant``) or a ramp from 0 to it over ``length`` steps (``linear``/``cosine``).

    Attributes:
        shape: ``constant``, ``linear`` or ``cosine``.
        start: generator step at which the term switches on.
        length: steps of the ramp after ``start`` (unused by ``constant``).
    """

    shape: Literal["constant", "linear", "cosine"] = "constant"
    start: int = attrs.field(default=0, validator=at_least(0))
    length: int = attrs.field(default=0, validator=at_least(0))

    def factor(self, step: int) -> float:
        """The weight factor in ``[0, 1]`` at generator step ``step``."""
        if step < self.start:
            return 0.0
        if self.shape == "constant":
            return 1.0
        return ramp(step - self.start, self.length, self.shape)
