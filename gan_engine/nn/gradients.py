"""N-D image gradients of ``[B, C, *S]`` batches: forward differences and normalised Sobel.

Each function returns one map per spatial axis (``H, W`` in 2D; ``D, H, W`` in 3D). Both are valid
(no padding): forward differences shorten their axis by 1, Sobel shortens every axis by 2.
"""

from __future__ import annotations

import torch
from torch import Tensor

from gan_engine.nn.separable import separable_filter
from gan_engine.types import spatial_dims_of

_DERIVATIVE = (-0.5, 0.0, 0.5)
"""Central difference: a ramp of slope 1 has derivative exactly 1."""

_SMOOTHING = (0.25, 0.5, 0.25)
"""Binomial smoothing across the derivative axis; sums to 1, so a ramp keeps its slope."""


def forward_differences(x: Tensor) -> list[Tensor]:
    """``x[i + 1] - x[i]`` along each spatial axis of ``x[B, C, *S]``; the axis shrinks by 1."""
    dims = spatial_dims_of(x)
    return [x.diff(dim=2 + axis) for axis in range(dims)]


def pairwise_min(x: Tensor) -> list[Tensor]:
    """``min(x[i], x[i + 1])`` along each spatial axis, aligned with :func:`forward_differences`.

    Applied to a 0/1 validity mask it marks the differences whose two pixels are both valid.
    """
    dims = spatial_dims_of(x)
    result = []
    for axis in range(dims):
        length = x.shape[2 + axis]
        result.append(
            torch.minimum(x.narrow(2 + axis, 0, length - 1), x.narrow(2 + axis, 1, length - 1))
        )
    return result


def sobel_gradients(x: Tensor) -> list[Tensor]:
    """Normalised N-D Sobel derivatives of ``x[B, C, *S]``, one ``[B, C, *(S - 2)]`` map per axis.

    Along its own axis each map applies ``[-1/2, 0, 1/2]``, along every other axis ``[1/4, 1/2, 1/4]``:
    the 2D case is the Sobel operator divided by 8, so gradients are in value units per pixel.
    """
    dims = spatial_dims_of(x)
    derivative = torch.tensor(_DERIVATIVE, dtype=x.dtype, device=x.device)
    smoothing = torch.tensor(_SMOOTHING, dtype=x.dtype, device=x.device)
    return [
        separable_filter(x, [derivative if other == axis else smoothing for other in range(dims)])
        for axis in range(dims)
    ]
