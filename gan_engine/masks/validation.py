"""Fixed validation masks, so that figures are comparable across runs.

Validation sample ``i`` always gets the mask drawn from ``numpy.random.default_rng([seed, i])``, the
same in every run and on every rank. Figures are reported per bin of the mask's hole ratio
(:func:`gan_engine.metrics.holes.ratio_bin`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from torch import Tensor

from gan_engine.protocols import MaskGenerator
from gan_engine.types import Sample


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
