"""Blend weights: separable cosine ramps that sum to one across every inner tile boundary.

Along an axis, tile ``i`` has weight 1 on its core, rises as ``sin²`` across the ramp around its
left cut and falls as ``cos²`` across the ramp around its right cut, so the weights of two
neighbours add up to 1 inside a ramp. Ramps are at least ``guard`` pixels from the tile's inner
edges, so a tile's pixels nearer than that to an inner edge get weight 0. Edges of the whole input
never taper. N-D weights are outer products of the axes' weights.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import torch
from torch import Tensor

from gan_engine.inference.grid import AxisPlan, TileGrid


def axis_support(plan: AxisPlan, index: int, scale: int) -> slice:
    """Output pixels (``scale`` per input pixel) where tile ``index`` has a non-zero weight."""
    left = plan.ramps[index - 1] if index > 0 else 0
    right = plan.ramps[index] if index < plan.count - 1 else 0
    return slice(scale * (plan.cuts[index] - left), scale * (plan.cuts[index + 1] + right))


def axis_weights(plan: AxisPlan, index: int, scale: int) -> npt.NDArray[np.float64]:
    """Weights of tile ``index`` on the output pixels of :func:`axis_support` (float64, ``[n]``)."""
    support = axis_support(plan, index, scale)
    positions = np.arange(support.start, support.stop, dtype=np.float64) + 0.5
    weights = np.ones_like(positions)
    if index > 0:
        weights *= _rise(positions, scale * plan.cuts[index], scale * plan.ramps[index - 1])
    if index < plan.count - 1:
        weights *= 1.0 - _rise(positions, scale * plan.cuts[index + 1], scale * plan.ramps[index])
    return weights


def _rise(centres: npt.NDArray[np.float64], cut: int, half: int) -> npt.NDArray[np.float64]:
    """0 before ``cut - half``, ``sin²`` up to ``cut + half``, 1 after (a step at ``cut`` if 0)."""
    if half == 0:
        return (centres >= cut).astype(np.float64)
    phase = np.clip((centres - (cut - half)) / (2 * half), 0.0, 1.0)
    return np.sin(phase * (math.pi / 2)) ** 2


def tile_weights(
    grid: TileGrid, index: tuple[int, ...], scale: int, dtype: torch.dtype = torch.float32
) -> tuple[tuple[slice, ...], Tensor]:
    """Support (output pixels per axis) and N-D weights ``[*support sizes]`` of one tile."""
    supports = tuple(axis_support(plan, i, scale) for plan, i in zip(grid.axes, index, strict=True))
    weights = torch.ones((), dtype=torch.float64)
    for plan, i in zip(grid.axes, index, strict=True):
        axis = torch.from_numpy(axis_weights(plan, i, scale))
        weights = weights.unsqueeze(-1) * axis
    return supports, weights.to(dtype)
