"""Free-form brush strokes (2D) and tubes (3D): random polylines drawn with a round brush.

After DeepFill v2's free-form masks (Yu et al. 2019): a stroke starts at a random pixel and walks a
few segments of random direction and length; the brush stamps discs (balls in 3D) along it. Strokes
are added until the mask reaches its target ratio; discs shrink near the end so the mask overshoots
by at most a few pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
from numpy.typing import NDArray
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.masks.base import (
    BoolArray,
    as_holes,
    ball_radius,
    capsule,
    check_shape,
    draw_target,
    fraction,
    grow_to_ratio,
    ratio_range,
)
from gan_engine.registry import Capabilities, register_mask_generator
from gan_engine.types import Sample


def _fraction_range(
    instance: object, attribute: attrs.Attribute[list[float]], value: object
) -> None:
    """Attrs validator: ``[low, high]`` fractions in ``(0, 1]`` with ``low <= high``."""
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidParamError(
            attribute.name, f"expected [low, high] (two numbers), got {value!r}"
        )
    for item in value:
        fraction(instance, attribute, item)
    if value[0] > value[1]:
        raise InvalidParamError(attribute.name, f"expected low <= high, got {value}")


def _count_range(_instance: object, attribute: attrs.Attribute[list[int]], value: object) -> None:
    """Attrs validator: ``[low, high]`` integers ``>= 1`` with ``low <= high``."""
    valid = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)
    )
    if not valid or value[0] > value[1]:  # type: ignore[index]
        msg = f"expected [low, high] (integers >= 1, low <= high), got {value!r}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class StrokeParams:
    """Parameters of :class:`Strokes` and :class:`Tubes`.

    Attributes:
        hole_ratio: ``[low, high]``: the fraction of pixels to cover, drawn uniformly per mask.
        width: ``[low, high]``: brush diameter as a fraction of the smallest axis, drawn per stroke
            (at least one pixel).
        segments: ``[low, high]``: segments per stroke, drawn per stroke.
        segment_length: ``[low, high]``: length of a segment as a fraction of the largest axis.
    """

    hole_ratio: list[float] = attrs.field(factory=lambda: [0.1, 0.3], validator=ratio_range)
    width: list[float] = attrs.field(factory=lambda: [0.05, 0.15], validator=_fraction_range)
    segments: list[int] = attrs.field(factory=lambda: [2, 6], validator=_count_range)
    segment_length: list[float] = attrs.field(factory=lambda: [0.1, 0.4], validator=_fraction_range)


@register_mask_generator(
    "strokes", params=StrokeParams, capabilities=Capabilities(spatial_dims=frozenset({2, 3}))
)
class Strokes:
    """Free-form brush strokes in 2D (scratches, removed objects); tubes in 3D."""

    name = "strokes"

    def __init__(self, params: StrokeParams | None = None) -> None:
        self.params = params or StrokeParams()

    def __call__(
        self, shape: Sequence[int], rng: np.random.Generator, sample: Sample | None = None
    ) -> Tensor:
        """A hole mask ``[1, *shape]`` of strokes covering about a ratio drawn in ``hole_ratio``."""
        sizes = check_shape(self.name, shape)
        target = draw_target(rng, self.params.hole_ratio, int(np.prod(sizes)))
        return as_holes(grow_to_ratio(sizes, target, rng, self._stroke))

    def _stroke(self, rng: np.random.Generator, mask: BoolArray, budget: int) -> int:
        params, shape = self.params, mask.shape
        radius = max(0.5, float(rng.uniform(params.width[0], params.width[1])) * min(shape) / 2.0)
        point = np.array([rng.uniform(0, n) for n in shape])
        added = 0
        for _ in range(int(rng.integers(params.segments[0], params.segments[1] + 1))):
            direction = rng.normal(size=len(shape))
            direction /= max(float(np.linalg.norm(direction)), 1e-12)
            low, high = params.segment_length
            length = float(rng.uniform(low, high)) * max(shape)
            end = np.clip(point + direction * length, 0, np.array(shape, dtype=float) - 1)
            added += _add_segment(mask, point, end, radius, budget - added)
            if added >= budget:
                break
            point = end
        return added


def _add_segment(
    mask: BoolArray,
    start: NDArray[np.float64],
    end: NDArray[np.float64],
    radius: float,
    budget: int,
) -> int:
    """Draw the segment's capsule, shortened (then thinned) while it would add more than ``budget``."""
    for _ in range(8):
        region, inside = capsule(mask.shape, start, end, radius)
        new = inside & ~mask[region]
        count = int(new.sum())
        if count <= budget or count <= 1:
            mask[region] |= inside
            return count
        # Too long for what is left of the target: shorten, and thin once it is a dot.
        keep = budget / count
        if float(np.linalg.norm(end - start)) > radius:
            end = start + (end - start) * keep
        else:
            radius = ball_radius(budget, mask.ndim, radius)
    return 0


@register_mask_generator(
    "tubes", params=StrokeParams, capabilities=Capabilities(spatial_dims=frozenset({3}))
)
class Tubes(Strokes):
    """Tubes through a volume: :class:`Strokes` drawn with a ball in 3D (vessel-like gaps, tracks)."""

    name = "tubes"

    def __call__(
        self, shape: Sequence[int], rng: np.random.Generator, sample: Sample | None = None
    ) -> Tensor:
        """A hole mask ``[1, D, H, W]`` of tubes; ``shape`` must be 3D."""
        if len(shape) != 3:
            msg = f"tubes: expected a 3D shape (D, H, W), got {tuple(shape)}; use strokes in 2D"
            raise ValueError(msg)
        return super().__call__(shape, rng, sample)
