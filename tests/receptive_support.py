"""Measuring receptive fields empirically: which input pixels an output pixel depends on."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def measured_radius(
    forward: Callable[[Tensor], Tensor],
    shape: tuple[int, ...],
    scale: int = 1,
    *,
    centre: tuple[int, ...] | None = None,
    period: int = 1,
) -> int:
    """Largest distance (per axis) from ``p // scale`` to an input with a non-zero gradient.

    Every output pixel ``p`` of the ``(scale * period) ** d`` positions from the centre of the input
    (``shape`` is ``[B, C, *S]``) is checked, on float64 so that small gradients do not underflow.
    ``period`` covers networks whose pattern repeats every few input pixels (strided layers).
    """
    x = torch.rand(shape, dtype=torch.float64, requires_grad=True)
    spatial = shape[2:]
    home = centre if centre is not None else tuple(size // 2 for size in spatial)
    out = forward(x)
    worst = 0
    cycle = scale * period
    for phase in range(cycle ** len(spatial)):
        offsets = [(phase // cycle**axis) % cycle for axis in range(len(spatial))]
        position = tuple(h * scale + o for h, o in zip(home, offsets, strict=True))
        (grad,) = torch.autograd.grad(out[(0, 0, *position)], x, retain_graph=True)
        support = grad.abs().sum(dim=(0, 1)).nonzero()
        origin = torch.tensor([p // scale for p in position])
        distance = (support - origin).abs().max()
        worst = max(worst, int(distance))
    return worst
