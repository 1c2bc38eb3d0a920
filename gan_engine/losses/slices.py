"""2.5D evaluation of 2D networks on volumes (MONAI's perceptual-loss approach).

A 3D batch ``[B, C, D, H, W]`` is cut into 2D slices along each of its three axes; each stack of
slices goes through the 2D term as a batch, and the three results are averaged. ``max_slices`` keeps
a random subset of slices per axis (the same for ``sr`` and ``hr``) to bound the cost.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from gan_engine.types import spatial_dims_of


def slices_along(x: Tensor, axis: int, index: Tensor | None) -> Tensor:
    """2D slices of ``x[B, C, D, H, W]`` across spatial ``axis`` (0, 1 or 2) as ``[B·n, C, h, w]``."""
    dim = 2 + axis
    if index is not None:
        x = x.index_select(dim, index)
    moved = x.movedim(dim, 1)
    batch, count, channels = moved.shape[:3]
    return moved.reshape(batch * count, channels, *moved.shape[3:])


def over_slices(
    term: Callable[[Tensor, Tensor], Tensor], sr: Tensor, hr: Tensor, max_slices: int | None
) -> Tensor:
    """``term(sr, hr)`` for 2D batches; for 3D, the mean of ``term`` over slices along each axis.

    Args:
        term: a 2D term ``(sr[N, C, h, w], hr[N, C, h, w]) -> scalar``.
        sr: ``[B, C, H, W]`` or ``[B, C, D, H, W]``.
        hr: same shape as ``sr``.
        max_slices: at most this many random slices per axis (``None``: all).
    """
    if spatial_dims_of(sr) == 2:
        return term(sr, hr)
    values = []
    for axis in range(3):
        length = sr.shape[2 + axis]
        index = None
        if max_slices is not None and length > max_slices:
            index = torch.randperm(length)[:max_slices].to(sr.device)
        values.append(term(slices_along(sr, axis, index), slices_along(hr, axis, index)))
    return torch.stack(values).mean()
