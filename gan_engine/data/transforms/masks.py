"""Nodata handling: which pixels are valid, and neutral values for the others.

A pixel is valid when no band equals the raster's nodata value and every band is finite (NaN and ±inf
are nodata too). Invalid pixels are then *filled*, after the mask is taken, so they do not poison
convolutions: by default with each band's mean over the valid pixels of the same window (``"mean"``;
0 when the window has none), or with 0 in sensor units (``"zero"``). The validity mask travels in the
sample as ``mask`` ``[1, H, W]`` (1 valid, 0 nodata) and the losses leave masked pixels out, so the
fill value never reaches a loss.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from gan_engine.io.raster_header import NativeArray

FillMode: TypeAlias = Literal["mean", "zero"]
FILL_MODES: tuple[FillMode, ...] = ("mean", "zero")


def valid_pixels(array: NativeArray, nodata: float | None) -> Tensor:
    """Boolean ``[H, W]``: true where every band of ``array`` ``[C, H, W]`` is finite and not nodata."""
    valid = np.ones(array.shape[1:], dtype=bool)
    if np.issubdtype(array.dtype, np.floating):
        valid &= np.isfinite(array).all(axis=0)
    if nodata is not None and not np.isnan(nodata):
        valid &= (array != nodata).all(axis=0)
    return torch.from_numpy(valid)


def to_float(array: NativeArray) -> Tensor:
    """Pixels ``[C, H, W]`` as float32 in sensor units (integers up to 2**24 convert exactly)."""
    return torch.from_numpy(np.asarray(array, dtype=np.float32))


def fill_invalid(values: Tensor, valid: Tensor, fill: FillMode) -> Tensor:
    """``values`` ``[C, *S]`` with the pixels where ``valid`` ``[*S]`` is false replaced by ``fill``."""
    if bool(valid.all()):
        return values
    keep = valid.unsqueeze(0)
    if fill == "zero":
        return torch.where(keep, values, torch.zeros((), dtype=values.dtype))
    count = valid.sum()
    if int(count) == 0:
        return torch.zeros_like(values)
    safe = torch.where(keep, values, torch.zeros((), dtype=values.dtype))
    dims = tuple(range(1, values.ndim))
    means = safe.to(torch.float64).sum(dim=dims) / float(count)
    shape = (values.shape[0],) + (1,) * (values.ndim - 1)
    return torch.where(keep, values, means.to(values.dtype).view(shape))


def upsample_mask(valid: Tensor, factor: int) -> Tensor:
    """Nearest-neighbour ``[*S] → [*(S · factor)]``: each LR pixel's validity over its HR block."""
    if factor == 1:
        return valid
    as_float = valid[None, None].to(torch.float32)
    return F.interpolate(as_float, scale_factor=factor, mode="nearest")[0, 0] > 0.5


def mask_tensor(valid: Tensor) -> Tensor:
    """The sample's ``mask``: float32 ``[1, *S]`` with 1 for valid pixels."""
    return valid.to(torch.float32).unsqueeze(0)
