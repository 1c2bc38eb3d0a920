"""Drawn mask generators made of simple shapes: boxes, ellipses/ellipsoids, borders and stripes.

Each works in 2D and 3D, draws a target hole ratio in its ``hole_ratio`` range and reaches it within
a small tolerance: boxes and ellipsoids shrink their last shape to the pixels still missing;
``borders`` (outpainting) grows the chosen sides row by row; ``stripes`` (sensor gaps, missing MRI
slices) spreads the rows to remove over evenly spaced stripes.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.masks.base import (
    BoolArray,
    as_holes,
    ball,
    check_shape,
    draw_target,
    fill_region,
    fraction,
    grow_to_ratio,
    positive_int,
    ratio_range,
)
from gan_engine.registry import Capabilities, register_mask_generator
from gan_engine.types import Sample


def _size_range(instance: object, attribute: attrs.Attribute[list[float]], value: object) -> None:
    """Attrs validator: ``[low, high]`` fractions in ``(0, 1]`` with ``low <= high``."""
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidParamError(
            attribute.name, f"expected [low, high] (two numbers), got {value!r}"
        )
    for item in value:
        fraction(instance, attribute, item)
    if value[0] > value[1]:
        raise InvalidParamError(attribute.name, f"expected low <= high, got {value}")


@attrs.frozen(kw_only=True)
class ShapeParams:
    """Parameters of :class:`Boxes` and :class:`Ellipsoids`.

    Attributes:
        hole_ratio: ``[low, high]``: the fraction of pixels to cover, drawn uniformly per mask.
        size: ``[low, high]``: each shape's extent along each axis, as a fraction of that axis,
            drawn uniformly per shape and axis (the last shape shrinks to fit the target).
    """

    hole_ratio: list[float] = attrs.field(factory=lambda: [0.1, 0.3], validator=ratio_range)
    size: list[float] = attrs.field(factory=lambda: [0.1, 0.4], validator=_size_range)


class _ShapeMasks:
    """Masks grown from randomly placed shapes until they reach their target ratio."""

    name = "shapes"
    volume_factor = 1.0  # the shape's volume as a fraction of its bounding box

    def __init__(self, params: ShapeParams | None = None) -> None:
        self.params = params or ShapeParams()

    def __call__(
        self, shape: Sequence[int], rng: np.random.Generator, sample: Sample | None = None
    ) -> Tensor:
        """A hole mask ``[1, *shape]`` covering about a ratio drawn in ``hole_ratio``."""
        sizes = check_shape(self.name, shape)
        target = draw_target(rng, self.params.hole_ratio, int(np.prod(sizes)))
        return as_holes(grow_to_ratio(sizes, target, rng, self._stamp))

    def _extents(
        self, rng: np.random.Generator, shape: tuple[int, ...], budget: int
    ) -> list[float]:
        low, high = self.params.size
        extents = [max(1.0, float(rng.uniform(low, high)) * n) for n in shape]
        volume = float(np.prod(extents)) * self.volume_factor
        if volume > budget:
            shrink = (budget / volume) ** (1.0 / len(shape))
            extents = [max(1.0, e * shrink) for e in extents]
        return extents

    def _stamp(self, rng: np.random.Generator, mask: BoolArray, budget: int) -> int:
        raise NotImplementedError


@register_mask_generator(
    "boxes", params=ShapeParams, capabilities=Capabilities(spatial_dims=frozenset({2, 3}))
)
class Boxes(_ShapeMasks):
    """Axis-aligned rectangles (2D) or cuboids (3D) at random places, until the target ratio."""

    name = "boxes"

    def _stamp(self, rng: np.random.Generator, mask: BoolArray, budget: int) -> int:
        extents = [round(e) for e in self._extents(rng, mask.shape, budget)]
        starts = [int(rng.integers(0, n - e + 1)) for n, e in zip(mask.shape, extents, strict=True)]
        region = tuple(slice(s, s + e) for s, e in zip(starts, extents, strict=True))
        return fill_region(mask, region, True)


@register_mask_generator(
    "ellipsoids", params=ShapeParams, capabilities=Capabilities(spatial_dims=frozenset({2, 3}))
)
class Ellipsoids(_ShapeMasks):
    """Axis-aligned ellipses (2D) or ellipsoids (3D: lesions, artefacts), until the target ratio."""

    name = "ellipsoids"
    volume_factor = np.pi / 6.0  # of the bounding box in 3D (π/4 in 2D; the smaller is safe)

    def _stamp(self, rng: np.random.Generator, mask: BoolArray, budget: int) -> int:
        extents = self._extents(rng, mask.shape, budget)
        centre = [float(rng.uniform(0, n)) for n in mask.shape]
        return ball(mask, centre, [e / 2.0 for e in extents])


@attrs.frozen(kw_only=True)
class BorderParams:
    """Parameters of :class:`Borders`.

    Attributes:
        hole_ratio: ``[low, high]``: the fraction of pixels to cover, drawn uniformly per mask.
        sides: how many of the ``2 · dims`` sides to extend into, at most (each mask draws 1 to
            ``sides`` of them at random; a band stops at half its axis, and when the chosen
            sides cannot reach the target another side joins).
    """

    hole_ratio: list[float] = attrs.field(factory=lambda: [0.1, 0.3], validator=ratio_range)
    sides: int = attrs.field(default=4, validator=positive_int)


@register_mask_generator(
    "borders", params=BorderParams, capabilities=Capabilities(spatial_dims=frozenset({2, 3}))
)
class Borders:
    """Outpainting masks: bands along some sides of the image, grown row by row to the target."""

    name = "borders"

    def __init__(self, params: BorderParams | None = None) -> None:
        self.params = params or BorderParams()

    def __call__(
        self, shape: Sequence[int], rng: np.random.Generator, sample: Sample | None = None
    ) -> Tensor:
        """A hole mask ``[1, *shape]``: bands along 1 to ``sides`` randomly chosen sides."""
        sizes = check_shape(self.name, shape)
        target = draw_target(rng, self.params.hole_ratio, int(np.prod(sizes)))
        all_sides = [(axis, end) for axis in range(len(sizes)) for end in (0, 1)]
        order = [all_sides[i] for i in rng.permutation(len(all_sides))]
        count = int(rng.integers(1, min(self.params.sides, len(all_sides)) + 1))
        mask = np.zeros(sizes, dtype=bool)
        depth = dict.fromkeys(all_sides, 0)
        # Grow the chosen sides in turn, one row each, while the mask is short of its target; each
        # stops at half its axis. Should they all stop short, the next side in the order joins.
        while int(mask.sum()) < target and count <= len(order):
            grown = False
            for axis, end in order[:count]:
                if int(mask.sum()) >= target or depth[(axis, end)] >= sizes[axis] // 2:
                    continue
                row = depth[(axis, end)] if end == 0 else sizes[axis] - 1 - depth[(axis, end)]
                index = [slice(None)] * len(sizes)
                index[axis] = slice(row, row + 1)
                mask[tuple(index)] = True
                depth[(axis, end)] += 1
                grown = True
            if not grown:
                count += 1
        return as_holes(mask)


@attrs.frozen(kw_only=True)
class StripeParams:
    """Parameters of :class:`Stripes`.

    Attributes:
        hole_ratio: ``[low, high]``: the fraction of pixels to cover, drawn uniformly per mask.
        period: ``[low, high]``: distance between stripe starts in pixels, drawn per mask (capped
            at the size of the axis).
        axis: the spatial axis the stripes cut across (0 = rows in 2D, slices in 3D); ``None``
            draws one per mask.
    """

    hole_ratio: list[float] = attrs.field(factory=lambda: [0.05, 0.2], validator=ratio_range)
    period: list[int] = attrs.field(factory=lambda: [4, 16])
    axis: int | None = attrs.field(default=None)

    @period.validator
    def _check_period(self, attribute: attrs.Attribute[list[int]], value: list[int]) -> None:
        if not isinstance(value, list) or len(value) != 2:
            msg = f"expected [low, high] (two integers >= 2), got {value!r}"
            raise InvalidParamError(attribute.name, msg)
        for item in value:
            if not isinstance(item, int) or isinstance(item, bool) or item < 2:
                raise InvalidParamError(attribute.name, f"expected integers >= 2, got {value!r}")
        if value[0] > value[1]:
            raise InvalidParamError(attribute.name, f"expected low <= high, got {value}")

    @axis.validator
    def _check_axis(self, attribute: attrs.Attribute[int | None], value: int | None) -> None:
        if value is not None and (not isinstance(value, int) or value not in (0, 1, 2)):
            raise InvalidParamError(attribute.name, f"expected 0, 1, 2 or null, got {value!r}")


@register_mask_generator(
    "stripes", params=StripeParams, capabilities=Capabilities(spatial_dims=frozenset({2, 3}))
)
class Stripes:
    """Periodic stripes across one axis: sensor gaps, scan-line failures, missing slices in 3D.

    The number of hole rows is the target ratio times the axis length (rounded), spread over evenly
    spaced stripes one period apart whose widths differ by at most one row.
    """

    name = "stripes"

    def __init__(self, params: StripeParams | None = None) -> None:
        self.params = params or StripeParams()

    def __call__(
        self, shape: Sequence[int], rng: np.random.Generator, sample: Sample | None = None
    ) -> Tensor:
        """A hole mask ``[1, *shape]`` of stripes across ``axis``."""
        sizes = check_shape(self.name, shape)
        axis = self.params.axis
        if axis is None:
            axis = int(rng.integers(0, len(sizes)))
        elif axis >= len(sizes):
            msg = f"stripes: axis {axis} does not exist in a {len(sizes)}D shape {sizes}"
            raise ValueError(msg)
        length = sizes[axis]
        if length < 2:
            msg = f"stripes: axis {axis} has {length} row(s); at least 2 are needed"
            raise ValueError(msg)
        rows = _stripe_rows(
            length, draw_target(rng, self.params.hole_ratio, length), rng, self.params
        )
        mask = np.zeros(sizes, dtype=bool)
        index: list[slice | np.ndarray] = [slice(None)] * len(sizes)
        index[axis] = rows
        mask[tuple(index)] = True
        return as_holes(mask)


def _stripe_rows(
    length: int, count: int, rng: np.random.Generator, params: StripeParams
) -> np.ndarray:
    """Indices of ``count`` rows out of ``length``, in stripes one drawn period apart."""
    low, high = params.period
    period = int(rng.integers(min(low, length), min(high, length) + 1))
    stripes = -(-length // period)
    widths = [count // stripes + (1 if i < count % stripes else 0) for i in range(stripes)]
    offset = int(rng.integers(0, period))
    rows: set[int] = set()
    for i, width in enumerate(widths):
        rows.update((offset + i * period + j) % length for j in range(width))
    # Wrapping can make the last stripe overlap the first: add the rows after each stripe instead.
    candidate = offset
    while len(rows) < count:
        candidate = (candidate + 1) % length
        rows.add(candidate)
    return np.array(sorted(rows), dtype=np.int64)
