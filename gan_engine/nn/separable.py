"""Per-channel filtering of ``[B, C, *S]`` batches along one spatial axis at a time, 2D or 3D.

Separable kernels (Gaussian windows, Sobel derivatives) are applied as a chain of 1-D correlations,
one per spatial axis. All filtering here is *valid*: an output pixel exists only where the whole kernel
fits, so no padding rule biases the borders.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from gan_engine.types import spatial_dims_of


def filter_along(x: Tensor, kernel: Tensor, axis: int) -> Tensor:
    """Correlate every channel of ``x[B, C, *S]`` with the 1-D ``kernel`` along spatial ``axis``.

    Args:
        x: a 2D ``[B, C, H, W]`` or 3D ``[B, C, D, H, W]`` batch.
        kernel: 1-D weights ``[K]``; cast to ``x``'s dtype and device.
        axis: index among the spatial axes (0 is ``H`` in 2D and ``D`` in 3D).

    Returns:
        ``x`` with spatial ``axis`` shortened by ``K - 1`` (valid correlation, no padding).
    """
    dims = spatial_dims_of(x)
    if kernel.ndim != 1:
        msg = f"filter_along: kernel must be 1-D, got shape {tuple(kernel.shape)}"
        raise ValueError(msg)
    if not 0 <= axis < dims:
        msg = f"filter_along: axis must be in [0, {dims}), got {axis}"
        raise ValueError(msg)
    size = kernel.numel()
    if x.shape[2 + axis] < size:
        msg = (
            f"filter_along: spatial axis {axis} has {x.shape[2 + axis]} pixels, "
            f"fewer than the kernel's {size}"
        )
        raise ValueError(msg)
    channels = x.shape[1]
    shape = [1] * dims
    shape[axis] = size
    weight = kernel.to(dtype=x.dtype, device=x.device).reshape(1, 1, *shape)
    weight = weight.expand(channels, 1, *shape).contiguous()
    if dims == 2:
        return F.conv2d(x, weight, groups=channels)
    return F.conv3d(x, weight, groups=channels)


def separable_filter(x: Tensor, kernels: list[Tensor]) -> Tensor:
    """Apply ``kernels[i]`` along spatial axis ``i`` of ``x[B, C, *S]`` (valid, per channel)."""
    if len(kernels) != x.ndim - 2:
        msg = f"separable_filter: expected one kernel per spatial axis ({x.ndim - 2}), got {len(kernels)}"
        raise ValueError(msg)
    for axis, kernel in enumerate(kernels):
        x = filter_along(x, kernel, axis)
    return x


def window_min(x: Tensor, size: int) -> Tensor:
    """Minimum of ``x[B, C, *S]`` over every ``size``-wide window (valid): ``[B, C, *(S - size + 1)]``.

    Applied to a 0/1 validity mask it marks the windows whose every pixel is valid.
    """
    dims = spatial_dims_of(x)
    if size < 1:
        msg = f"window_min: size must be >= 1, got {size}"
        raise ValueError(msg)
    if dims == 2:
        return -F.max_pool2d(-x, size, stride=1)
    return -F.max_pool3d(-x, size, stride=1)
