"""Nodata and NaN pixels: found, filled before the network, and written back as nodata afterwards.

A network would spread a NaN or a nodata sentinel (``-9999``, ``0``) over its whole receptive field.
Invalid pixels are therefore replaced, per band, by the mean of the valid pixels of that band within
``radius`` pixels (a box), or by the band's mean over the tile where none is that close (0 if the
tile has no valid pixel in that band). Output pixels whose input pixel (``p // scale``) was invalid
get the nodata value back, so only valid outputs carry predictions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import Tensor

DEFAULT_FILL_RADIUS = 8
"""Half-width (input pixels) of the box whose valid pixels fill an invalid one."""


def invalid_mask(raw: npt.NDArray[Any], nodata: float | None) -> npt.NDArray[np.bool_] | None:
    """``[C, *S]`` True where ``raw`` is NaN/infinite or equals ``nodata``; ``None`` if all valid."""
    mask: npt.NDArray[np.bool_] | None = None
    if raw.dtype.kind in "fc":
        mask = ~np.isfinite(raw)
    if nodata is not None and not math.isnan(nodata):
        equal = raw == nodata
        mask = equal if mask is None else mask | equal
    if mask is None or not mask.any():
        return None
    return mask


def may_hold_invalid(dtype: np.dtype[Any], nodata: float | None) -> bool:
    """Whether values of ``dtype`` with this ``nodata`` can be invalid at all."""
    return nodata is not None or dtype.kind in "fc"


def fill_invalid(x: Tensor, invalid: Tensor, radius: int = DEFAULT_FILL_RADIUS) -> Tensor:
    """Replace invalid pixels of ``x[C, *S]`` (``invalid``: bool, same shape) by local valid means."""
    spatial = tuple(range(1, x.ndim))
    valid = (~invalid).to(torch.float64)
    values = torch.where(invalid, 0.0, x.to(torch.float64))
    sums, counts = values, valid
    for axis in spatial:
        sums = _box_sum(sums, radius, axis)
        counts = _box_sum(counts, radius, axis)
    band_mean = values.sum(dim=spatial, keepdim=True) / valid.sum(
        dim=spatial, keepdim=True
    ).clamp_min(1)
    local = torch.where(counts > 0.5, sums / counts.clamp_min(1), band_mean)
    return torch.where(invalid, local.to(x.dtype), x)


def _box_sum(x: Tensor, radius: int, axis: int) -> Tensor:
    """Sum over ``[i - radius, i + radius]`` along ``axis`` (clipped at the ends)."""
    length = x.shape[axis]
    zero = torch.zeros_like(x.narrow(axis, 0, 1))
    cumulative = torch.cat([zero, torch.cumsum(x, dim=axis)], dim=axis)
    index = torch.arange(length, device=x.device)
    high = (index + radius + 1).clamp(max=length)
    low = (index - radius).clamp(min=0)
    return cumulative.index_select(axis, high) - cumulative.index_select(axis, low)


def upsample_mask(mask: npt.NDArray[np.bool_], scale: int) -> npt.NDArray[np.bool_]:
    """Nearest-neighbour ``[C, *S] -> [C, *(S * scale)]``: output ``p`` takes input ``p // scale``."""
    for axis in range(1, mask.ndim):
        mask = np.repeat(mask, scale, axis=axis)
    return mask
