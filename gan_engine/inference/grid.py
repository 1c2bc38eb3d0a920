"""Where tiles go: overlapping tiles of one size per axis, their cores and their blend ramps.

Everything here is in input (low-resolution) pixels along one axis; an N-D grid is the Cartesian
product of its axes. Along an axis of length ``L``, ``n`` tiles of size ``T`` start at ``starts``
(the first at 0, the last at ``L - T``), neighbours overlapping by at least ``2 * overlap``. The
*cuts* split the axis into disjoint *cores*, one per tile, each cut at the middle of the overlap of
two neighbours, so every core lies at least ``overlap`` pixels inside its tile wherever the tile
edge is not an edge of the whole input. A *ramp* of half-width ``ramps[i]`` around inner cut ``i``
is where blending mixes tiles ``i`` and ``i + 1``; it keeps ``guard`` pixels away from either
tile's inner edge.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import attrs


@attrs.frozen
class AxisPlan:
    """The tiles along one axis (input pixels).

    Attributes:
        length: pixels along the axis.
        tile: size of every tile (``<= length``).
        starts: first pixel of each tile, increasing.
        cuts: core boundaries, ``len(starts) + 1`` of them: core ``i`` is ``[cuts[i], cuts[i + 1])``.
        ramps: blend half-width at each inner cut ``cuts[1:-1]``.
    """

    length: int
    tile: int
    starts: tuple[int, ...]
    cuts: tuple[int, ...]
    ramps: tuple[int, ...]

    @property
    def count(self) -> int:
        """Number of tiles."""
        return len(self.starts)


def plan_axis(
    length: int, tile: int, overlap: int, *, multiple: int = 1, guard: int = 0
) -> AxisPlan:
    """Lay out tiles of at most ``tile`` pixels along an axis of ``length`` pixels.

    Tiles are shrunk evenly (not padded) so that few pixels are computed twice; starts and the tile
    size are multiples of ``multiple`` (for networks that need it, e.g. a pixel-unshuffle head).

    Args:
        length: pixels along the axis (a multiple of ``multiple``).
        tile: largest tile size; at least ``2 * overlap + multiple`` unless one tile covers the axis.
        overlap: context kept on each inner side of every core (the receptive-field radius for exact
            centre stitching).
        multiple: tile starts and sizes are multiples of it.
        guard: pixels next to an inner tile edge that blending gives zero weight.

    Raises:
        ValueError: a non-positive size, a negative overlap or guard, ``length`` not a multiple of
            ``multiple``, or a tile too small for its overlap.
    """
    if length < 1 or tile < 1 or multiple < 1 or overlap < 0 or guard < 0:
        msg = (
            f"need length, tile, multiple >= 1 and overlap, guard >= 0, got length={length}, "
            f"tile={tile}, multiple={multiple}, overlap={overlap}, guard={guard}"
        )
        raise ValueError(msg)
    if length % multiple:
        msg = f"the model needs sizes that are multiples of {multiple}, got {length}"
        raise ValueError(msg)
    if length <= tile:
        return AxisPlan(length=length, tile=length, starts=(0,), cuts=(0, length), ramps=())
    tile -= tile % multiple
    if tile - 2 * overlap < multiple:
        msg = (
            f"tile size {tile} leaves no core with an overlap of {overlap} on each side: "
            f"use tiles of at least {2 * overlap + multiple} pixels or a smaller overlap"
        )
        raise ValueError(msg)
    count = math.ceil((length - 2 * overlap) / (tile - 2 * overlap))
    while True:
        starts, size = _even_starts(length, count, overlap, multiple)
        if size <= tile and _overlaps_hold(starts, size, overlap):
            break
        count += 1
    cuts = [0]
    for left, right in itertools.pairwise(starts):
        shared = left + size - right
        cuts.append(right + shared // 2)
    cuts.append(length)
    ramps = [
        max(
            0,
            min((left + size - cut) - guard, cut - right - guard, (cut - lo) // 2, (hi - cut) // 2),
        )
        for left, right, lo, cut, hi in zip(
            starts, starts[1:], cuts, cuts[1:], cuts[2:], strict=False
        )
    ]
    return AxisPlan(
        length=length, tile=size, starts=tuple(starts), cuts=tuple(cuts), ramps=tuple(ramps)
    )


def _even_starts(length: int, count: int, overlap: int, multiple: int) -> tuple[list[int], int]:
    """``count`` evenly spread starts and the smallest common size giving them ``overlap``."""
    if count == 1:
        return [0], length
    size = math.ceil((length - 2 * overlap) / count) + 2 * overlap
    size = min(length, math.ceil(size / multiple) * multiple)
    span = length - size
    starts = [(i * span // (count - 1)) // multiple * multiple for i in range(count - 1)]
    return sorted({*starts, span}), size


def _overlaps_hold(starts: Sequence[int], size: int, overlap: int) -> bool:
    return all(left + size - right >= 2 * overlap for left, right in itertools.pairwise(starts))


@attrs.frozen
class Tile:
    """One tile of an N-D grid (input pixels, per spatial axis).

    Attributes:
        index: the tile's position in the grid, per axis.
        window: the input pixels the network reads.
        core: the input pixels whose outputs this tile provides in centre stitching.
    """

    index: tuple[int, ...]
    window: tuple[slice, ...]
    core: tuple[slice, ...]


@attrs.frozen
class TileGrid:
    """The Cartesian product of per-axis plans; tiles run in row-major order (first axis slowest)."""

    axes: tuple[AxisPlan, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        """Input size per axis."""
        return tuple(axis.length for axis in self.axes)

    @property
    def tile_shape(self) -> tuple[int, ...]:
        """The size every tile has, per axis."""
        return tuple(axis.tile for axis in self.axes)

    def __len__(self) -> int:
        return math.prod(axis.count for axis in self.axes)

    def __iter__(self) -> Iterator[Tile]:
        for index in itertools.product(*(range(axis.count) for axis in self.axes)):
            window = tuple(
                slice(axis.starts[i], axis.starts[i] + axis.tile)
                for axis, i in zip(self.axes, index, strict=True)
            )
            core = tuple(
                slice(axis.cuts[i], axis.cuts[i + 1])
                for axis, i in zip(self.axes, index, strict=True)
            )
            yield Tile(index=index, window=window, core=core)


def plan_grid(
    shape: Sequence[int],
    tile: Sequence[int],
    overlap: int,
    *,
    multiple: int = 1,
    guard: int = 0,
) -> TileGrid:
    """Plan every spatial axis of an input of ``shape`` (see :func:`plan_axis`)."""
    if len(tile) != len(shape):
        msg = f"need one tile size per axis: shape {tuple(shape)}, tile {tuple(tile)}"
        raise ValueError(msg)
    return TileGrid(
        axes=tuple(
            plan_axis(length, size, overlap, multiple=multiple, guard=guard)
            for length, size in zip(shape, tile, strict=True)
        )
    )
