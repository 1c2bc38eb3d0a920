"""Making low-resolution inputs from high-resolution images or volumes.

Integer-factor downsampling: 2D ``bicubic`` (antialiased, like Pillow/Matlab ``imresize``) or
``area`` (block mean); 3D ``area`` or ``trilinear`` (not antialiased: PyTorch has no antialiased
trilinear). The result is clamped to the valid range and, by default, rounded to integer levels as
if saved back to an 8- or 16-bit file, so the network never sees values a real LR file cannot hold.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import torch
import torch.nn.functional as F
from torch import Tensor

from gan_engine.types import SpatialDims

DegradationMode: TypeAlias = Literal["bicubic", "area", "trilinear"]
MODES_BY_DIMS: dict[SpatialDims, tuple[DegradationMode, ...]] = {
    2: ("bicubic", "area"),
    3: ("area", "trilinear"),
}


def check_mode(mode: str, spatial_dims: SpatialDims) -> None:
    """Raise ``ValueError`` unless ``mode`` is a degradation available in ``spatial_dims``."""
    allowed = MODES_BY_DIMS[spatial_dims]
    if mode not in allowed:
        msg = (
            f"degradation {mode!r} is not available in {spatial_dims}D; use one of {list(allowed)}"
        )
        raise ValueError(msg)


def downsample(x: Tensor, scale: int, mode: DegradationMode) -> Tensor:
    """Shrink a batch ``[B, C, *S]`` to ``[B, C, *(S / scale)]``; every spatial size is a multiple.

    Float inputs keep their dtype; integer inputs are computed and returned as float32.
    """
    if x.ndim not in (4, 5):
        msg = f"expected [B, C, H, W] or [B, C, D, H, W], got shape {tuple(x.shape)}"
        raise ValueError(msg)
    spatial_dims: SpatialDims = 2 if x.ndim == 4 else 3
    check_mode(mode, spatial_dims)
    if scale < 1:
        msg = f"scale must be >= 1, got {scale}"
        raise ValueError(msg)
    sizes = tuple(x.shape[2:])
    if any(size % scale for size in sizes):
        msg = f"spatial size {sizes} is not a multiple of the scale {scale}"
        raise ValueError(msg)
    if not x.is_floating_point():
        x = x.float()
    if scale == 1:
        return x
    target = [size // scale for size in sizes]
    if mode == "bicubic":
        return F.interpolate(x, size=target, mode="bicubic", align_corners=False, antialias=True)
    if mode == "trilinear":
        return F.interpolate(x, size=target, mode="trilinear", align_corners=False)
    # Area with an integer factor is the mean over non-overlapping scale**dims blocks.
    return F.interpolate(x, size=target, mode="area")


def degrade(
    hr: Tensor, scale: int, mode: DegradationMode, data_range: float, *, quantise: bool = True
) -> Tensor:
    """Make the LR ``[C, *(S / scale)]`` of one HR sample ``[C, *S]`` (2D or 3D) in sensor units.

    The result is clamped to ``[0, data_range]`` (bicubic overshoots) and rounded to integers when
    ``quantise`` is true.
    """
    lr = downsample(hr.unsqueeze(0), scale, mode).squeeze(0)
    lr = lr.clamp(0.0, data_range)
    return torch.round(lr) if quantise else lr
