"""Gaussian windows and valid N-D Gaussian filtering (SSIM's local statistics)."""

from __future__ import annotations

import torch
from torch import Tensor

from gan_engine.nn.separable import separable_filter


def gaussian_kernel(
    window_size: int,
    sigma: float,
    *,
    dtype: torch.dtype = torch.float32,
    device: torch.device | None = None,
) -> Tensor:
    """A normalised 1-D Gaussian ``[window_size]``: ``exp(-x² / 2σ²)`` at integer offsets, summing to 1.

    ``window_size = 2 * int(3.5 * sigma + 0.5) + 1`` reproduces ``scipy.ndimage.gaussian_filter`` with
    ``truncate=3.5`` (scikit-image's SSIM): 11 for ``sigma = 1.5``.
    """
    if window_size < 1 or window_size % 2 != 1:
        msg = f"gaussian_kernel: window_size must be a positive odd integer, got {window_size}"
        raise ValueError(msg)
    if sigma <= 0:
        msg = f"gaussian_kernel: sigma must be > 0, got {sigma}"
        raise ValueError(msg)
    radius = window_size // 2
    offsets = torch.arange(-radius, radius + 1, dtype=torch.float64)
    weights = torch.exp(-(offsets**2) / (2.0 * sigma**2))
    return (weights / weights.sum()).to(dtype=dtype, device=device)


def gaussian_filter(x: Tensor, window_size: int, sigma: float) -> Tensor:
    """Valid Gaussian filtering of every channel of ``x[B, C, *S]`` along all spatial axes.

    Returns:
        ``[B, C, *(S - window_size + 1)]``, in ``x``'s dtype.
    """
    kernel = gaussian_kernel(window_size, sigma, dtype=x.dtype, device=x.device)
    return separable_filter(x, [kernel] * (x.ndim - 2))
