"""Monotone piecewise-linear maps between two distributions, built from matching quantiles.

A map is a pair of knot rows ``source → target`` ``[C, K]``, both strictly increasing, evaluated by
linear interpolation between knots and continued with slope 1 beyond the end knots, so it is a
bijection of the real line and its inverse is the same map with the rows swapped.

Quantile knots of discrete or tied data repeat (many probabilities hit one value), which would make
vertical or horizontal pieces. :func:`matched_knots` therefore merges knots that lie closer than the
estimator's resolution (one histogram bin) on either side into their mean, then refills the row to
``K`` knots by splitting the widest pieces (points on the same polyline), keeping every slope finite
and bounded by the data rather than by rounding.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch
from torch import Tensor

TIE_SPACING = 2.0**-20
"""Relative spacing (about 8 float32 ulps) :func:`strictly_increasing` enforces at run time."""

FloatArray = npt.NDArray[np.float64]


def strictly_increasing(knots: Tensor) -> Tensor:
    """Raise knots ``[C, K]`` so each exceeds the previous by ``TIE_SPACING · max(|knot|, span, 1)``.

    A guard for knots that a lower precision merges; knots already far enough apart are unchanged.
    """
    span = knots[:, -1] - knots[:, 0]
    magnitude = knots.abs().amax(dim=1)
    delta = TIE_SPACING * torch.maximum(torch.maximum(span, magnitude), torch.ones_like(span))
    steps = torch.arange(knots.shape[1], dtype=knots.dtype, device=knots.device) * delta[:, None]
    return torch.cummax(knots - steps, dim=1).values + steps


def piecewise_linear(x: Tensor, source: Tensor, target: Tensor) -> Tensor:
    """Map ``x`` ``[B, C, *S]`` through per-channel knots ``source → target`` ``[C, K]``."""
    channels = x.shape[1]
    source = source.to(dtype=x.dtype, device=x.device).contiguous()
    target = target.to(dtype=x.dtype, device=x.device)
    flat = x.transpose(0, 1).reshape(channels, -1).contiguous()
    last = source.shape[1] - 1
    index = (torch.searchsorted(source, flat, right=True) - 1).clamp(0, last - 1)
    x0, x1 = source.gather(1, index), source.gather(1, index + 1)
    y0, y1 = target.gather(1, index), target.gather(1, index + 1)
    mapped = y0 + (flat - x0) * ((y1 - y0) / (x1 - x0))
    mapped = torch.where(flat < source[:, :1], target[:, :1] + (flat - source[:, :1]), mapped)
    mapped = torch.where(
        flat > source[:, last:], target[:, last:] + (flat - source[:, last:]), mapped
    )
    moved = (x.shape[1], x.shape[0], *x.shape[2:])
    return mapped.reshape(moved).transpose(0, 1)


def _merge(
    x: FloatArray, y: FloatArray, tol_x: float, tol_y: float
) -> tuple[FloatArray, FloatArray]:
    """Group consecutive knots within ``tol`` of the group's first (in x or y); keep group means."""
    groups: list[list[int]] = [[0]]
    for k in range(1, x.size):
        first = groups[-1][0]
        if x[k] - x[first] < tol_x or y[k] - y[first] < tol_y:
            groups[-1].append(k)
        else:
            groups.append([k])
    merged_x = np.array([x[group].mean() for group in groups])
    merged_y = np.array([y[group].mean() for group in groups])
    return merged_x, merged_y


def _refill(x: FloatArray, y: FloatArray, count: int) -> tuple[FloatArray, FloatArray]:
    """Split the widest pieces (in x) at their midpoints until there are ``count`` knots."""
    if x.size == 1:  # a constant channel: a unit-slope line through its value
        x, y = np.array([x[0], x[0] + 1.0]), np.array([y[0], y[0] + 1.0])
    xs, ys = list(x), list(y)
    while len(xs) < count:
        gaps = np.diff(xs)
        k = int(np.argmax(gaps))
        xs.insert(k + 1, (xs[k] + xs[k + 1]) / 2)
        ys.insert(k + 1, (ys[k] + ys[k + 1]) / 2)
    return np.array(xs), np.array(ys)


def matched_knots(
    source: Tensor, target: Tensor, source_tol: Tensor, target_tol: Tensor
) -> tuple[Tensor, Tensor]:
    """Strictly increasing knot rows ``[C, K]`` from matching quantiles ``source``/``target`` ``[C, K]``.

    Args:
        source: quantiles of the distribution mapped from, nondecreasing per channel.
        target: quantiles at the same probabilities of the distribution mapped to.
        source_tol: ``[C]`` resolution of ``source`` (one histogram bin); closer knots merge.
        target_tol: ``[C]`` resolution of ``target``.
    """
    channels, count = source.shape
    rows_x, rows_y = [], []
    for c in range(channels):
        x = source[c].to(torch.float64).numpy()
        y = target[c].to(torch.float64).numpy()
        x, y = _merge(x, y, float(source_tol[c]), float(target_tol[c]))
        x, y = _refill(x, y, count)
        rows_x.append(torch.from_numpy(x))
        rows_y.append(torch.from_numpy(y))
    return torch.stack(rows_x), torch.stack(rows_y)
