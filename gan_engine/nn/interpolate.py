"""Fixed (not learned) resampling of ``[B, C, *S]`` batches; 2D or 3D is taken from ``x.ndim``.

Used by generators (the global skip), the trainer (the bicubic baseline) and datasets (degradation),
so that all of them resample the same way.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.types import spatial_dims_of

DownsampleMode: TypeAlias = Literal["bicubic", "area"]
"""``bicubic``: antialiased bicubic in 2D, area (box) averaging in 3D; ``area``: box averaging."""


def _check_scale(scale: int) -> None:
    if scale < 1:
        msg = f"scale must be an integer >= 1, got {scale}"
        raise ValueError(msg)


def upsample(x: Tensor, scale: int) -> Tensor:
    """Upsample ``x[B, C, *S]`` to ``[B, C, *(S * scale)]``: bicubic in 2D, trilinear in 3D.

    ``align_corners=False`` (pixel areas, not pixel centres, are aligned). Bicubic may overshoot the
    input range near edges; it is not clamped.
    """
    _check_scale(scale)
    dims = spatial_dims_of(x)
    size = [length * scale for length in x.shape[2:]]
    mode = "bicubic" if dims == 2 else "trilinear"
    return F.interpolate(x, size=size, mode=mode, align_corners=False)


def downsample(x: Tensor, scale: int, mode: DownsampleMode = "bicubic") -> Tensor:
    """Downsample ``x[B, C, *(S * scale)]`` to ``[B, C, *S]``.

    ``bicubic`` is antialiased bicubic in 2D (as PIL and MATLAB ``imresize``). PyTorch has no
    antialiased trilinear or bicubic resampling in 3D, so there ``bicubic`` falls back to ``area``
    (the mean of each ``scale**3`` block), which also limits aliasing. Every spatial size must be
    divisible by ``scale``, so that upsampling the result by ``scale`` restores the input's shape:
    crop first.
    """
    _check_scale(scale)
    dims = spatial_dims_of(x)
    spatial = list(x.shape[2:])
    if any(length % scale != 0 for length in spatial):
        msg = f"downsample by {scale} needs spatial sizes divisible by it, got {spatial}"
        raise ValueError(msg)
    size = [length // scale for length in spatial]
    if mode == "bicubic" and dims == 2:
        return F.interpolate(x, size=size, mode="bicubic", align_corners=False, antialias=True)
    if mode in ("bicubic", "area"):
        return F.interpolate(x, size=size, mode="area")
    msg = f"unknown downsample mode {mode!r}; expected 'bicubic' or 'area'"
    raise ValueError(msg)


class NearestUpsample(nn.Module):
    """Nearest-neighbour upsampling by an integer ``factor`` per axis (no parameters).

    ``[B, C, *S] → [B, C, *(S * factor)]``, as a layer, so that an upsampling path can be a list of
    layers (:func:`gan_engine.nn.reconstruction.reconstruct`).
    """

    def __init__(self, factor: int) -> None:
        super().__init__()
        _check_scale(factor)
        self.factor = factor

    def forward(self, x: Tensor) -> Tensor:
        """Repeat every pixel of ``x`` ``factor`` times along each spatial axis."""
        size = [length * self.factor for length in x.shape[2:]]
        return F.interpolate(x, size=size, mode="nearest")
