"""N-D tiled inference: overlapping tiles, batched through the network, stitched or blended.

The tiler reads input windows through a callback, runs them through the model in batches of equal-sized
tiles and hands finished output regions to a write callback, so a scene never has to fit in memory.
Tiles run in row-major order (first spatial axis slowest) and the output is kept for one *row* of tiles
(one tile's extent along the first axis, the whole extent along the others) and written as soon as no
later tile can change it.

Two ways to combine tiles (see :mod:`gan_engine.inference.grid` for cores, cuts and ramps):

* ``centre``: each output pixel comes from the one tile whose core holds its input pixel; the margins
  of the overlap are cropped. Exact: if ``overlap`` is at least the model's receptive-field radius
  ``r`` (and tile starts respect the model's size multiple), every kept pixel saw exactly the input
  the untiled forward pass gives it, so the tiled result equals the untiled one to float tolerance.
* ``blend``: each output pixel is the weighted mean ``Σ w_t y_t / Σ w_t`` of the tiles covering it,
  with separable cosine ramps across the overlap. It equals the untiled result exactly when every
  tile with ``w_t > 0`` at a pixel computed that pixel exactly, i.e. when the ramps stay ``guard >=
  r`` pixels away from inner tile edges; with a smaller guard (or an unbounded receptive field) it
  is not exact but has no seams: tile differences fade in smoothly instead of jumping at a cut.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Literal, TypeAlias

import attrs
import torch
from torch import Tensor

from gan_engine.inference.grid import Tile, TileGrid, plan_grid
from gan_engine.inference.window import tile_weights

Mode: TypeAlias = Literal["centre", "blend"]
MODES: tuple[Mode, ...] = ("centre", "blend")

Window: TypeAlias = tuple[slice, ...]
"""Per spatial axis, a range of pixels."""

ReadFn: TypeAlias = Callable[[Window], Tensor]
"""Input window (input pixels) → model-ready tile ``[C, *window sizes]``."""

WriteFn: TypeAlias = Callable[[Window, Tensor], None]
"""Output window (output pixels) and its finished values ``[C_out, *window sizes]`` (float32).

The values are not used again after the call: the writer may change them in place.
"""

ModelFn: TypeAlias = Callable[[Tensor], Tensor]
"""Batch ``[B, C, *T]`` → ``[B, C_out, *(T * scale)]``."""


@attrs.frozen(kw_only=True)
class TilingConfig:
    """How to tile (all sizes in input pixels).

    Attributes:
        tile: largest tile size per spatial axis; smaller inputs run as one tile.
        overlap: context on each inner side of a tile's core; ``>= r`` for exact centre stitching.
        mode: ``centre`` (crop overlaps; exact) or ``blend`` (cosine-weighted mean; seam-free).
        batch_size: tiles per forward pass.
        multiple: tile starts and sizes are multiples of it (2 for pixel-unshuffle heads).
        guard: pixels next to inner tile edges that blending ignores (``>= r`` makes it exact).
    """

    tile: tuple[int, ...]
    overlap: int
    mode: Mode = "centre"
    batch_size: int = 4
    multiple: int = 1
    guard: int = 0

    def __attrs_post_init__(self) -> None:
        if self.mode not in MODES:
            msg = f"mode must be one of {list(MODES)}, got {self.mode!r}"
            raise ValueError(msg)
        if self.batch_size < 1 or self.multiple < 1 or min(self.tile, default=0) < 1:
            msg = (
                f"tile sizes, batch_size and multiple must be >= 1, got tile={self.tile}, "
                f"batch_size={self.batch_size}, multiple={self.multiple}"
            )
            raise ValueError(msg)


class Tiler:
    """Runs a model over an input of any size, tile by tile.

    Args:
        model: ``[B, C, *T] -> [B, C_out, *(T * scale)]`` (already on its device; returns float32).
        scale: output pixels per input pixel along every tiled axis.
        config: tile sizes, overlap, mode and batch size.
    """

    def __init__(self, model: ModelFn, scale: int, config: TilingConfig) -> None:
        if scale < 1:
            msg = f"scale must be >= 1, got {scale}"
            raise ValueError(msg)
        self.model = model
        self.scale = scale
        self.config = config

    def plan(self, shape: tuple[int, ...]) -> TileGrid:
        """The grid of tiles for a spatial ``shape``."""
        config = self.config
        guard = config.guard if config.mode == "blend" else 0
        return plan_grid(shape, config.tile, config.overlap, multiple=config.multiple, guard=guard)

    def run(
        self,
        read: ReadFn,
        shape: tuple[int, ...],
        write: WriteFn,
        *,
        on_batch: Callable[[int], object] | None = None,
    ) -> None:
        """Compute the whole output of an input of spatial ``shape``.

        Every output pixel is passed to ``write`` exactly once, in row bands along the first axis.
        ``on_batch(n)`` is called after each batch of ``n`` tiles (for progress bars).
        """
        grid = self.plan(shape)
        stitcher = _RowStitcher(grid, self.scale, self.config.mode, write)
        expected = tuple(self.scale * size for size in grid.tile_shape)
        for batch in _batches(iter(grid), self.config.batch_size):
            inputs = torch.stack([read(tile.window) for tile in batch])
            outputs = self.model(inputs)
            if outputs.ndim != inputs.ndim or tuple(outputs.shape[2:]) != expected:
                msg = (
                    f"the model turned tiles of shape {tuple(inputs.shape)} into "
                    f"{tuple(outputs.shape)}; expected spatial size {expected} (scale {self.scale})"
                )
                raise ValueError(msg)
            for tile, output in zip(batch, outputs, strict=True):
                stitcher.add(tile, output.float())
            if on_batch is not None:
                on_batch(len(batch))
        stitcher.finish()


def _batches(tiles: Iterator[Tile], size: int) -> Iterable[list[Tile]]:
    while batch := list(itertools.islice(tiles, size)):
        yield batch


class _RowStitcher:
    """Collects tile outputs for one row of tiles and writes finished bands of output rows."""

    def __init__(self, grid: TileGrid, scale: int, mode: Mode, write: WriteFn) -> None:
        self.grid = grid
        self.scale = scale
        self.blend = mode == "blend"
        self.write = write
        self.full = tuple(scale * length for length in grid.shape)
        self.row = -1
        self.band: Tensor | None = None
        self.weights: Tensor | None = None
        self.band_start = 0

    def _row_range(self, row: int) -> tuple[int, int, int]:
        """Output rows touched by tile row ``row``: ``(start, final_end, end)``.

        Rows before ``final_end`` are finished once this row is done; the rest (a blend ramp)
        also gets values from the next row.
        """
        axis, s = self.grid.axes[0], self.scale
        before = axis.ramps[row - 1] if self.blend and row > 0 else 0
        after = axis.ramps[row] if self.blend and row < axis.count - 1 else 0
        cut_lo, cut_hi = axis.cuts[row], axis.cuts[row + 1]
        return s * (cut_lo - before), s * (cut_hi - after), s * (cut_hi + after)

    def _start_row(self, row: int, channels: int, like: Tensor) -> None:
        start, _, end = self._row_range(row)
        band = like.new_zeros((channels, end - start, *self.full[1:]))
        weights = like.new_zeros((end - start, *self.full[1:])) if self.blend else None
        if self.band is not None:
            # the previous row's unfinished ramp starts this row's band
            carried = self.band.shape[1]
            band[:, :carried] = self.band
            if weights is not None and self.weights is not None:
                weights[:carried] = self.weights
        self.row, self.band, self.weights, self.band_start = row, band, weights, start

    def add(self, tile: Tile, output: Tensor) -> None:
        """Merge one tile's output ``[C_out, *(tile * scale)]``."""
        if tile.index[0] != self.row:
            if self.row >= 0:
                self._emit(last=False)
            self._start_row(tile.index[0], output.shape[0], output)
        band = self.band
        if band is None:  # pragma: no cover - _start_row always sets it
            msg = "no row band to write into"
            raise RuntimeError(msg)
        s = self.scale
        origin = tuple(s * window.start for window in tile.window)
        if self.blend:
            supports, weights = tile_weights(self.grid, tile.index, s, output.dtype)
            weights = weights.to(output.device)
        else:
            supports = tuple(slice(s * core.start, s * core.stop) for core in tile.core)
            weights = None
        local = tuple(
            slice(span.start - o, span.stop - o) for span, o in zip(supports, origin, strict=True)
        )
        target = (
            slice(supports[0].start - self.band_start, supports[0].stop - self.band_start),
            *supports[1:],
        )
        values = output[(slice(None), *local)]
        if weights is None:
            band[(slice(None), *target)] = values
            return
        band[(slice(None), *target)] += values * weights
        if self.weights is not None:
            self.weights[target] += weights

    def _emit(self, *, last: bool) -> None:
        band = self.band
        if band is None:
            return
        _, final_end, end = self._row_range(self.row)
        stop = end if last else final_end
        count = stop - self.band_start
        values = band[:, :count]
        if self.weights is not None:
            values = values / self.weights[:count]
        window = (slice(self.band_start, stop), *(slice(0, size) for size in self.full[1:]))
        if count > 0:
            self.write(window, values)
        # keep only the unfinished ramp, copied so the written rows' storage is released now
        self.band = band[:, count:].clone() if count < band.shape[1] else None
        carried = None if self.weights is None else self.weights[count:]
        self.weights = carried.clone() if carried is not None and carried.numel() else None
        self.band_start = stop

    def finish(self) -> None:
        """Write what is left after the last tile."""
        self._emit(last=True)


def tiled_forward(model: ModelFn, x: Tensor, scale: int, config: TilingConfig) -> Tensor:
    """Run ``model`` over ``x[C, *S]`` tile by tile and return the stitched ``[C_out, *(S * scale)]``.

    The in-memory counterpart of :meth:`Tiler.run`, for tests and small inputs.
    """
    result: list[Tensor] = []
    shape = tuple(x.shape[1:])

    def read(window: Window) -> Tensor:
        return x[(slice(None), *window)]

    def write(window: Window, values: Tensor) -> None:
        if not result:
            full = tuple(scale * size for size in shape)
            result.append(values.new_empty((values.shape[0], *full)))
        result[0][(slice(None), *window)] = values

    Tiler(model, scale, config).run(read, shape, write)
    return result[0]
