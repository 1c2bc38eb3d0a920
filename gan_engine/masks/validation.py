"""Fixed validation masks and hole-ratio bins, so that figures are comparable across runs.

Validation sample ``i`` always gets the mask drawn from ``numpy.random.default_rng([seed, i])``, the
same in every run and on every rank. Figures are reported per bin of the mask's hole ratio.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import numpy as np
from torch import Tensor

from gan_engine.protocols import MaskGenerator
from gan_engine.types import Sample

RatioBin: TypeAlias = Literal["thin", "medium", "thick"]

RATIO_BINS: tuple[tuple[RatioBin, float, float], ...] = (
    ("thin", 0.0, 0.1),
    ("medium", 0.1, 0.3),
    ("thick", 0.3, 1.0),
)
"""``(name, low, high)``: a mask is in the bin when ``low <= ratio < high`` (thick includes 1)."""


def ratio_bin(ratio: float) -> RatioBin:
    """The bin of a hole ratio in ``[0, 1]``: thin (< 10 %), medium (10–30 %) or thick (≥ 30 %)."""
    for name, _low, high in RATIO_BINS:
        if ratio < high:
            return name
    return "thick"


def validation_holes(
    generator: MaskGenerator,
    shape: Sequence[int],
    index: int,
    seed: int,
    sample: Sample | None = None,
) -> Tensor:
    """The fixed hole mask ``[1, *shape]`` of validation sample ``index`` for ``seed``."""
    if index < 0:
        msg = f"validation_holes: index must be >= 0, got {index}"
        raise ValueError(msg)
    return generator(shape, np.random.default_rng([seed, index]), sample)
