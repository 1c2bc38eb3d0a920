"""Grids of windows over scenes, and a dataset that streams one window per item.

:class:`RasterTileDataset` enumerates a grid of HR windows (``tile_size``, ``stride``) over every
scene and reads only the window an item asks for (a rasterio window, or a memory-map slice for
``.npy``), so memory does not grow with scene size: the grid is computed from its geometry, not
stored, and a scene's tiles cost nothing until read.

Edge handling, per axis: windows start at ``0, stride, 2·stride, …`` while they fit. If the last
one stops short of the edge, one more window is placed as close to the edge as the alignment allows
(its start is the largest multiple of ``align`` not above ``extent - tile_size``), overlapping its
neighbour. Hence the windows cover the whole extent whenever ``align`` divides ``extent - tile_size``
(always for ``align = 1``; paired scenes use ``align = scale`` so LR windows stay on whole LR pixels,
and their HR extents are multiples of the scale); otherwise fewer than ``align`` edge pixels are left
out (a ``stride`` above ``tile_size`` leaves gaps between windows: a sparse grid). With
``stride == tile_size`` and ``tile_size`` dividing the extent the windows tile the scene exactly,
without overlap. Scenes smaller than one window are rejected when the dataset is built.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import attrs
import numpy as np
from torch.utils.data import Dataset

from gan_engine.data.epochs import EpochKeyed, SharedEpoch
from gan_engine.data.rasters.samples import RasterSample, WindowReader
from gan_engine.data.rasters.scenes import Scene, check_min_size
from gan_engine.data.seeding import item_generator
from gan_engine.data.transforms.augment import DihedralTransform
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.io.raster_header import PixelWindow


@attrs.frozen
class AxisTiles:
    """Window starts along one axis (see the module docstring for the edge rule)."""

    extent: int
    size: int
    stride: int
    align: int = 1

    def __attrs_post_init__(self) -> None:
        if min(self.size, self.stride, self.align) < 1:
            msg = f"tile size, stride and align must be >= 1, got {self}"
            raise ValueError(msg)
        if self.extent < self.size:
            msg = f"an extent of {self.extent} pixels cannot hold a window of {self.size}"
            raise ValueError(msg)

    @property
    def regular(self) -> int:
        """Windows at multiples of the stride."""
        return (self.extent - self.size) // self.stride + 1

    @property
    def extra_start(self) -> int | None:
        """Start of the edge window, or ``None`` when the regular windows reach the edge."""
        last = (self.regular - 1) * self.stride
        if last + self.size >= self.extent:
            return None
        start = (self.extent - self.size) // self.align * self.align
        return start if start > last else None

    @property
    def count(self) -> int:
        """Number of windows."""
        return self.regular + (self.extra_start is not None)

    def start(self, index: int) -> int:
        """Start of window ``index``."""
        if not 0 <= index < self.count:
            msg = f"window index {index} out of range for {self.count} windows"
            raise IndexError(msg)
        extra = self.extra_start
        return extra if index == self.regular and extra is not None else index * self.stride


@attrs.frozen
class TileGrid:
    """Square windows over an ``height x width`` scene, row by row."""

    height: int
    width: int
    size: int
    stride: int
    align: int = 1

    @property
    def rows(self) -> AxisTiles:
        """Window starts along the rows."""
        return AxisTiles(self.height, self.size, self.stride, self.align)

    @property
    def cols(self) -> AxisTiles:
        """Window starts along the columns."""
        return AxisTiles(self.width, self.size, self.stride, self.align)

    def __len__(self) -> int:
        return self.rows.count * self.cols.count

    def window(self, index: int) -> PixelWindow:
        """Window ``index`` (row-major)."""
        cols = self.cols
        row, col = divmod(index, cols.count)
        return PixelWindow(self.rows.start(row), cols.start(col), self.size, self.size)


def check_tiling(tile_size: int, stride: int, scale: int, key: str = "tile_size") -> None:
    """Tile size and stride must be positive multiples of the scale."""
    for name, value in ((key, tile_size), ("stride", stride)):
        if value < scale or value % scale:
            msg = f"must be a positive multiple of the scale {scale}, got {value}"
            raise InvalidParamError(name, msg)


class RasterTileDataset(EpochKeyed, Dataset[RasterSample]):
    """Every grid window of every scene, scene by scene: one sample per window.

    Args:
        scenes: the scenes (HR-only or paired).
        reader: reads and prepares a window (degradation, nodata, metadata).
        tile_size: HR window side, a multiple of the scale.
        stride: distance between window starts, a multiple of the scale (``tile_size``: no overlap).
        augment: random flips and quarter turns keyed by ``(seed, epoch, index)``.
        seed: seed of augmentation and degradation noise.
    """

    def __init__(
        self,
        scenes: Sequence[Scene],
        reader: WindowReader,
        tile_size: int,
        stride: int | None = None,
        *,
        augment: bool = False,
        seed: int = 0,
    ) -> None:
        stride = tile_size if stride is None else stride
        check_tiling(tile_size, stride, reader.scale)
        if not scenes:
            msg = "no scenes given for the tiling dataset"
            raise DataError(msg)
        check_min_size(scenes, tile_size, "tile")
        self.scenes = list(scenes)
        self.reader = reader
        self.tile_size = tile_size
        self.stride = stride
        self.augment = augment
        self.seed = seed
        self.grids = [
            TileGrid(s.hr.height, s.hr.width, tile_size, stride, reader.scale if s.lr else 1)
            for s in self.scenes
        ]
        self._first = np.cumsum([0] + [len(grid) for grid in self.grids]).tolist()
        self._epoch = SharedEpoch()

    def __len__(self) -> int:
        return int(self._first[-1])

    def locate(self, index: int) -> tuple[int, PixelWindow]:
        """The scene position and HR window of item ``index``."""
        if not 0 <= index < len(self):
            msg = f"index {index} out of range for {len(self)} tiles"
            raise IndexError(msg)
        position = bisect.bisect_right(self._first, index) - 1
        return position, self.grids[position].window(index - self._first[position])

    def source_index(self, index: int) -> int:
        """Position in ``scenes`` of the scene tile ``index`` is cut from."""
        return self.locate(index)[0]

    def __getitem__(self, index: int) -> RasterSample:
        position, window = self.locate(index)
        generator = item_generator(self.seed, self._epoch.value, index)
        transform = DihedralTransform.random(2, generator) if self.augment else None
        return self.reader.read(self.scenes[position], window, generator, transform)
