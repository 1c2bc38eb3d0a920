"""Making low-resolution inputs from high-resolution images or volumes.

The chain, in 2D and 3D: optional Gaussian blur of HR (``blur_sigma`` in HR pixels, the sensor's
point spread), integer-factor downsampling — 2D ``bicubic`` (antialiased, like Pillow/Matlab
``imresize``) or ``area`` (block mean); 3D ``area`` or ``trilinear`` (not antialiased: PyTorch has
no antialiased trilinear) — then optional additive Gaussian noise (``noise_sigma`` in sensor units,
drawn from a caller's ``torch.Generator`` so items are reproducible). The result is clamped to the
valid range and, by default, rounded to integer levels as if saved back to an 8- or 16-bit file, so
the network never sees values a real LR file cannot hold.
"""

from __future__ import annotations

import math
from typing import Literal, TypeAlias

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor

from gan_engine.nn.gaussian import gaussian_kernel
from gan_engine.nn.separable import separable_filter
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


def gaussian_blur(x: Tensor, sigma: float) -> Tensor:
    """Blur every channel of ``x`` ``[B, C, *S]`` (2D or 3D) with an isotropic Gaussian, same size.

    ``sigma`` is in pixels along every spatial axis; the kernel reaches ``ceil(3 · sigma)`` pixels
    either side and borders repeat the edge pixel. ``sigma = 0`` returns ``x`` unchanged.
    """
    if sigma < 0 or not math.isfinite(sigma):
        msg = f"blur sigma must be finite and >= 0, got {sigma}"
        raise ValueError(msg)
    if sigma == 0:
        return x
    dims = x.ndim - 2
    if dims not in (2, 3):
        msg = f"expected [B, C, H, W] or [B, C, D, H, W], got shape {tuple(x.shape)}"
        raise ValueError(msg)
    radius = max(1, math.ceil(3.0 * sigma))
    kernel = gaussian_kernel(2 * radius + 1, sigma, dtype=x.dtype, device=x.device)
    padded = F.pad(x, [radius] * (2 * dims), mode="replicate")
    return separable_filter(padded, [kernel] * dims)


def degrade(
    hr: Tensor,
    scale: int,
    mode: DegradationMode,
    data_range: float,
    *,
    quantise: bool = True,
    blur_sigma: float = 0.0,
    noise_sigma: float = 0.0,
    generator: torch.Generator | None = None,
    bounds: tuple[float, float] | None = None,
) -> Tensor:
    """Make the LR ``[C, *(S / scale)]`` of one HR sample ``[C, *S]`` (2D or 3D) in sensor units.

    Args:
        hr: the HR sample, any real dtype (computed in float32 at least).
        scale: integer downsampling factor; every spatial size must be a multiple of it.
        mode: the downsampling (see :data:`MODES_BY_DIMS`).
        data_range: the default clamp is ``[0, data_range]``.
        quantise: round to integers (as if saved to an integer file).
        blur_sigma: Gaussian blur of HR before downsampling, in HR pixels (0: none).
        noise_sigma: standard deviation of additive Gaussian noise on LR, in sensor units (0: none).
        generator: the noise's random generator (the global one when ``None``).
        bounds: ``(low, high)`` clamp instead of ``[0, data_range]`` (e.g. the file dtype's range when
            values may exceed the nominal data range); ``(-inf, inf)`` disables clamping.
    """
    if noise_sigma < 0 or not math.isfinite(noise_sigma):
        msg = f"noise sigma must be finite and >= 0, got {noise_sigma}"
        raise ValueError(msg)
    batch = hr.unsqueeze(0)
    if not batch.is_floating_point():
        batch = batch.float()
    lr = downsample(gaussian_blur(batch, blur_sigma), scale, mode).squeeze(0)
    if noise_sigma > 0:
        noise = torch.randn(lr.shape, generator=generator, dtype=lr.dtype, device="cpu")
        lr = lr + noise_sigma * noise.to(lr.device)
    low, high = bounds if bounds is not None else (0.0, data_range)
    lr = lr.clamp(low, high)
    return torch.round(lr) if quantise else lr


@attrs.frozen(kw_only=True)
class Degradation:
    """The degradation settings of a dataset, applied by :meth:`apply`.

    Attributes:
        mode: the downsampling (see :data:`MODES_BY_DIMS`).
        blur_sigma: Gaussian blur of HR before downsampling, in HR pixels (0: none).
        noise_sigma: additive Gaussian noise on LR, in sensor units (0: none).
        quantise: round LR to integers (for integer sensor data).
    """

    mode: DegradationMode = "bicubic"
    blur_sigma: float = 0.0
    noise_sigma: float = 0.0
    quantise: bool = True

    def apply(
        self,
        hr: Tensor,
        scale: int,
        bounds: tuple[float, float],
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """The LR ``[C, *(S / scale)]`` of ``hr`` ``[C, *S]``, clamped to ``bounds``."""
        return degrade(
            hr,
            scale,
            self.mode,
            bounds[1],
            quantise=self.quantise,
            blur_sigma=self.blur_sigma,
            noise_sigma=self.noise_sigma,
            generator=generator,
            bounds=bounds,
        )
