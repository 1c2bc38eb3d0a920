"""Resize stages: a random up/down/keep step of a resize chain, and the resize to the target LR size.

Both act on the whole batch (samples of a batch must share a size): the step and the interpolation are
drawn once per batch from the seeds of all its samples, as Real-ESRGAN does; every other stage draws
per sample. 2D interpolations: ``area``, ``bilinear``, ``bicubic`` (not antialiased, so downscaling
aliases as cheap resamplers do), ``nearest``; 3D: ``area``, ``trilinear``, ``nearest``.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor

from gan_engine.degradations.random import batch_generator
from gan_engine.degradations.ranges import Range, range_within, split_weights, weights_over
from gan_engine.errors import InvalidParamError
from gan_engine.params import one_of
from gan_engine.registry import Capabilities, register_degradation
from gan_engine.types import BuildContext, SpatialDims

INTERPOLATIONS: dict[SpatialDims, tuple[str, ...]] = {
    2: ("area", "bilinear", "bicubic", "nearest"),
    3: ("area", "trilinear", "nearest"),
}
ALL_INTERPOLATIONS = ("area", "bilinear", "bicubic", "trilinear", "nearest")
RelativeTo: TypeAlias = Literal["current", "target"]


def _uniform(generator: torch.Generator, low: float, high: float) -> float:
    return low + (high - low) * float(torch.rand((), generator=generator, dtype=torch.float64))


def _pick(generator: torch.Generator, weights: dict[str, float]) -> str:
    names, probabilities = split_weights(weights)
    u = float(torch.rand((), generator=generator, dtype=torch.float64))
    total = 0.0
    for name, probability in zip(names, probabilities, strict=True):
        total += probability
        if u < total:
            return name
    return names[-1]


def interpolate(x: Tensor, size: list[int], mode: str) -> Tensor:
    """Resize ``x[B, C, *S]`` to ``size`` with ``mode`` (``align_corners=False`` where it applies)."""
    if list(x.shape[2:]) == size:
        return x
    if mode in ("area", "nearest"):
        return F.interpolate(x, size=size, mode=mode)
    return F.interpolate(x, size=size, mode=mode, align_corners=False)


def _modes_fit(weights: dict[str, float], dims: SpatialDims) -> list[InvalidParamError]:
    allowed = INTERPOLATIONS[dims]
    return [
        InvalidParamError(f"modes.{name}", f"not available in {dims}D; use some of {list(allowed)}")
        for name in weights
        if name not in allowed
    ]


@attrs.frozen(kw_only=True)
class ResizeParams:
    """A random resize step (Real-ESRGAN's first-order defaults).

    Attributes:
        directions: probability of ``up``, ``down`` and ``keep`` (summing to 1).
        up: range of the factor when enlarging.
        down: range of the factor when shrinking.
        modes: probability of each interpolation (summing to 1); see the module docstring.
        relative_to: the factor applies to the ``current`` size or to the ``target`` LR size
            (Real-ESRGAN's second order).
    """

    directions: dict[str, float] = attrs.field(
        factory=lambda: {"up": 0.2, "down": 0.7, "keep": 0.1},
        validator=weights_over(("up", "down", "keep")),
    )
    up: Range = attrs.field(default=(1.0, 1.5), validator=range_within(1.0, 8.0))
    down: Range = attrs.field(default=(0.15, 1.0), validator=range_within(0.01, 1.0))
    modes: dict[str, float] = attrs.field(
        factory=lambda: {"area": 1 / 3, "bilinear": 1 / 3, "bicubic": 1 / 3},
        validator=weights_over(ALL_INTERPOLATIONS),
    )
    relative_to: RelativeTo = attrs.field(
        default="current", validator=one_of(("current", "target"))
    )

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Interpolations must exist in the run's dims."""
        return _modes_fit(self.modes, context.spatial_dims)


@register_degradation("resize", params=ResizeParams, capabilities=Capabilities())
class RandomResize:
    """Resize the batch by a random factor with a random interpolation (one draw per batch)."""

    batch_level = True

    def __init__(self, spatial_dims: SpatialDims, channels: int, params: ResizeParams) -> None:
        self.spatial_dims = spatial_dims
        self.params = params

    def size_for(self, image: Tensor, target: Tensor, scale: int, factor: float) -> list[int]:
        """The new spatial size for ``factor`` (at least 1 pixel per axis)."""
        base = (
            image.shape[2:]
            if self.params.relative_to == "current"
            else [s // scale for s in target.shape[2:]]
        )
        return [max(1, round(s * factor)) for s in base]

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Resize ``image``; the step is drawn from all the batch's seeds."""
        p = self.params
        generator = batch_generator(seeds, 0)
        direction = _pick(generator, p.directions)
        factor = {"up": _uniform(generator, *p.up), "down": _uniform(generator, *p.down)}.get(
            direction, 1.0
        )
        mode = _pick(generator, p.modes)
        return interpolate(image, self.size_for(image, target, scale, factor), mode), target


@attrs.frozen(kw_only=True)
class ResizeTargetParams:
    """The final resize to the LR size (the target's size divided by the scale).

    Attributes:
        modes: probability of each interpolation (summing to 1).
    """

    modes: dict[str, float] = attrs.field(
        factory=lambda: {"area": 1 / 3, "bilinear": 1 / 3, "bicubic": 1 / 3},
        validator=weights_over(ALL_INTERPOLATIONS),
    )

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Interpolations must exist in the run's dims."""
        return _modes_fit(self.modes, context.spatial_dims)


@register_degradation("resize_target", params=ResizeTargetParams, capabilities=Capabilities())
class ResizeToTarget:
    """Resize the batch to the LR size with a random interpolation (one draw per batch)."""

    batch_level = True

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, params: ResizeTargetParams
    ) -> None:
        self.spatial_dims = spatial_dims
        self.params = params

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Resize ``image`` to ``target``'s size over ``scale``."""
        mode = _pick(batch_generator(seeds, 1), self.params.modes)
        return interpolate(image, [s // scale for s in target.shape[2:]], mode), target
