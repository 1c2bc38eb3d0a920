"""What the drawn mask generators share: the hole-ratio range, growing a mask to a ratio, stamps.

A drawn generator picks a target hole ratio uniformly in its ``hole_ratio`` range and adds shapes
until the mask covers that fraction of the pixels. Each shape is shrunk to the number of pixels still
missing, so the mask overshoots its target by at most one small stamp (see :func:`grow_to_ratio`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor

from gan_engine.errors import InvalidParamError

BoolArray = NDArray[np.bool_]

MAX_SHAPES = 10_000
"""Shapes a drawn generator adds at most before giving up on reaching its target (a safety net)."""


def ratio_range(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: ``[low, high]`` with ``0 < low <= high < 1`` (an all-hole mask is useless)."""
    numbers = isinstance(value, Sequence) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    )
    if not numbers or len(value) != 2:
        raise InvalidParamError(
            attribute.name, f"expected [low, high] (two numbers), got {value!r}"
        )
    low, high = value
    if not 0.0 < low <= high < 1.0:
        msg = f"expected 0 < low <= high < 1 (fractions of the pixels), got [{low}, {high}]"
        raise InvalidParamError(attribute.name, msg)


def fraction(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: a number in ``(0, 1]``."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 < value <= 1.0:
        raise InvalidParamError(attribute.name, f"expected a number in (0, 1], got {value!r}")


def positive_int(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: an ``int`` ≥ 1."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidParamError(attribute.name, f"expected an integer >= 1, got {value!r}")


def check_shape(owner: str, shape: Sequence[int]) -> tuple[int, ...]:
    """``shape`` as a tuple of 2 or 3 positive sizes; raise ``ValueError`` naming ``owner`` otherwise."""
    sizes = tuple(int(n) for n in shape)
    if len(sizes) not in (2, 3) or any(n < 1 for n in sizes):
        msg = f"{owner}: expected a spatial shape (H, W) or (D, H, W) of sizes >= 1, got {tuple(shape)}"
        raise ValueError(msg)
    return sizes


def draw_target(rng: np.random.Generator, hole_ratio: Sequence[float], pixels: int) -> int:
    """Number of hole pixels to reach: a ratio drawn uniformly in ``hole_ratio``, at least one pixel."""
    low, high = hole_ratio
    ratio = float(rng.uniform(low, high)) if high > low else float(low)
    return max(1, min(pixels - 1, round(ratio * pixels)))


Stamp = Callable[[np.random.Generator, BoolArray, int], int]
"""Adds one shape to the mask in place (about at most the given number of new pixels); returns how
many pixels became holes."""


def grow_to_ratio(
    shape: tuple[int, ...], target: int, rng: np.random.Generator, stamp: Stamp
) -> BoolArray:
    """A boolean mask of ``shape`` grown by ``stamp`` until it has at least ``target`` hole pixels.

    ``stamp(rng, mask, budget)`` adds one shape; ``budget`` is the number of pixels still missing, so
    stamps can shrink to fit and the mask ends close above ``target``.
    """
    mask = np.zeros(shape, dtype=bool)
    covered = 0
    for _ in range(MAX_SHAPES):
        if covered >= target:
            break
        covered += stamp(rng, mask, target - covered)
    return mask


def as_holes(mask: BoolArray) -> Tensor:
    """A boolean mask ``[*S]`` as the float32 hole tensor ``[1, *S]``."""
    return torch.from_numpy(np.ascontiguousarray(mask, dtype=np.float32))[None]


def hole_ratio(holes: Tensor) -> float:
    """Fraction of hole pixels of a mask ``[1, *S]`` or ``[B, 1, *S]`` (any value > 0.5 is a hole)."""
    return float((holes > 0.5).float().mean())


def fill_region(mask: BoolArray, region: tuple[slice, ...], shape: BoolArray | bool) -> int:
    """Set ``mask[region] |= shape`` in place; return how many pixels became holes."""
    before = int(mask[region].sum())
    mask[region] |= shape
    return int(mask[region].sum()) - before


def ball(mask: BoolArray, centre: Sequence[float], radii: Sequence[float]) -> int:
    """Set the pixels of an axis-aligned ellipse/ellipsoid (``centre``, semi-axes ``radii``) in place.

    Returns how many pixels became holes.
    """
    lows = [max(0, int(np.floor(c - r))) for c, r in zip(centre, radii, strict=True)]
    highs = [
        min(n, int(np.ceil(c + r)) + 1) for c, r, n in zip(centre, radii, mask.shape, strict=True)
    ]
    if any(high <= low for low, high in zip(lows, highs, strict=True)):
        return 0
    axes = np.ogrid[tuple(slice(low, high) for low, high in zip(lows, highs, strict=True))]
    inside = sum(
        ((axis - c) / max(r, 0.5)) ** 2 for axis, c, r in zip(axes, centre, radii, strict=True)
    )
    region = tuple(slice(low, high) for low, high in zip(lows, highs, strict=True))
    return fill_region(mask, region, np.asarray(inside <= 1.0))


def capsule(
    shape: tuple[int, ...], start: NDArray[np.float64], end: NDArray[np.float64], radius: float
) -> tuple[tuple[slice, ...], BoolArray]:
    """The pixels within ``radius`` of the segment ``start``–``end``: a region and its boolean shape.

    A capsule is a brush stroke's segment in 2D and a tube's in 3D; ``region`` is its bounding box
    clipped to ``shape`` (it may be empty).
    """
    lows = [max(0, int(np.floor(min(a, b) - radius))) for a, b in zip(start, end, strict=True)]
    highs = [
        min(n, int(np.ceil(max(a, b) + radius)) + 1)
        for a, b, n in zip(start, end, shape, strict=True)
    ]
    region = tuple(slice(low, max(low, high)) for low, high in zip(lows, highs, strict=True))
    axes = np.ogrid[region]
    direction = end - start
    length2 = float(direction @ direction)
    offsets = [axis - a for axis, a in zip(axes, start, strict=True)]
    if length2 > 0:
        along = sum(o * d for o, d in zip(offsets, direction, strict=True)) / length2
        t = np.clip(along, 0.0, 1.0)
    else:
        t = np.zeros(())
    distance2 = sum((o - t * d) ** 2 for o, d in zip(offsets, direction, strict=True))
    return region, np.asarray(distance2 <= max(radius, 0.5) ** 2)


def ball_radius(budget: int, dims: int, wanted: float) -> float:
    """``wanted`` shrunk so that a ball of that radius covers about ``budget`` pixels at most."""
    area = np.pi if dims == 2 else 4.0 * np.pi / 3.0  # of the unit disc or ball
    fitting = float((budget / area) ** (1.0 / dims))
    return max(0.0, min(wanted, fitting))
