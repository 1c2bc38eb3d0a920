"""Back to sensor values: outputs take the input's dtype, rounded and clipped to its range."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def restore_dtype(
    values: npt.NDArray[Any], dtype: np.dtype[Any], *, in_place: bool = False
) -> npt.NDArray[Any]:
    """Convert float predictions to ``dtype``.

    Integer types (uint8 photos, uint16 reflectance, int16 CT numbers) are rounded to the nearest
    integer and clipped to the type's range, booleans thresholded at 0.5; float types are cast
    (float stays float, unclipped). ``in_place`` rounds and clips ``values`` itself instead of a copy
    (one output-sized buffer less while streaming).
    """
    if dtype.kind in "ui":
        info = np.iinfo(dtype)
        work = values if in_place else values.copy()
        np.rint(work, out=work)
        np.clip(work, info.min, info.max, out=work)
        return work.astype(dtype)
    if dtype.kind == "b":
        return np.asarray(values > 0.5)
    return values.astype(dtype, copy=False)
