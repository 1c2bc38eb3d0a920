"""Tile grids cover scenes exactly; the tiling dataset reads windows that stitch back to the scene."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.data.rasters.files import probe_raster
from gan_engine.data.rasters.samples import WindowReader
from gan_engine.data.rasters.scenes import Scene
from gan_engine.data.rasters.tiling import AxisTiles, RasterTileDataset, TileGrid
from gan_engine.data.transforms.degradation import Degradation
from gan_engine.errors import DataError, InvalidParamError
from tests.data.conftest import WriteGeoTIFF, random_reflectance


def coverage(grid: TileGrid) -> np.ndarray:
    counts = np.zeros((grid.height, grid.width), np.int64)
    for index in range(len(grid)):
        w = grid.window(index)
        assert w.top >= 0
        assert w.left >= 0
        assert w.top + w.height <= grid.height
        assert w.left + w.width <= grid.width
        counts[w.top : w.top + w.height, w.left : w.left + w.width] += 1
    return counts


@settings(deadline=None, max_examples=40)
@given(rows=st.integers(1, 6), cols=st.integers(1, 6), size=st.sampled_from([4, 8, 16]))
def test_stride_equal_to_size_tiles_a_divisible_scene_exactly(
    rows: int, cols: int, size: int
) -> None:
    grid = TileGrid(rows * size, cols * size, size, stride=size)
    assert len(grid) == rows * cols
    assert (coverage(grid) == 1).all()  # union == full extent, no overlap


@settings(deadline=None, max_examples=60)
@given(
    extent=st.integers(8, 90),
    size=st.sampled_from([4, 8]),
    stride=st.integers(1, 8),
)
def test_edge_window_reaches_the_edge_with_unit_alignment(
    extent: int, size: int, stride: int
) -> None:
    stride = min(stride, size)  # a stride beyond the size leaves gaps on purpose (a sparse grid)
    grid = TileGrid(extent, extent + 3, size, stride)
    assert (coverage(grid) >= 1).all()


@settings(deadline=None, max_examples=60)
@given(extent=st.integers(8, 90), align=st.sampled_from([2, 4]))
def test_aligned_edge_window_leaves_fewer_than_align_pixels(extent: int, align: int) -> None:
    axis = AxisTiles(extent, 8, 8, align)
    starts = [axis.start(i) for i in range(axis.count)]
    assert all(start % align == 0 for start in starts)
    assert starts == sorted(set(starts))
    assert extent - (starts[-1] + 8) < align


def test_scene_smaller_than_a_window_is_rejected() -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        AxisTiles(7, 8, 8)


def _dataset(
    header_path: Path, tile: int, stride: int | None = None, scale: int = 2
) -> RasterTileDataset:
    reader = WindowReader(scale=scale, degradation=Degradation(mode="area"), metadata=True)
    return RasterTileDataset([Scene(hr=probe_raster(header_path))], reader, tile, stride)


def test_tiles_stitch_back_to_the_scene(tmp_path: Path, write_geotiff: WriteGeoTIFF) -> None:
    array = random_reflectance(3, 48, 64, 0)
    dataset = _dataset(write_geotiff(tmp_path / "s.tif", array), tile=16)
    assert len(dataset) == 3 * 4
    stitched = torch.zeros(3, 48, 64)
    for index in range(len(dataset)):
        sample = dataset[index]
        meta = sample["metadata"]
        top, left = meta["top"], meta["left"]
        stitched[:, top : top + 16, left : left + 16] = sample["hr"]
        assert sample["lr"].shape == (3, 8, 8)
        assert bool((sample["mask"] == 1).all())
    assert torch.equal(stitched, torch.from_numpy(array.astype(np.float32)))


def test_overlapping_stride_and_snapped_edge(tmp_path: Path, write_geotiff: WriteGeoTIFF) -> None:
    dataset = _dataset(write_geotiff(tmp_path / "s.tif", random_reflectance(1, 40, 40, 1)), 16, 12)
    tops = sorted({dataset.locate(i)[1].top for i in range(len(dataset))})
    assert tops == [0, 12, 24]  # 24 + 16 == 40: the regular grid already reaches the edge
    dataset = _dataset(write_geotiff(tmp_path / "t.tif", random_reflectance(1, 42, 42, 1)), 16, 12)
    tops = sorted({dataset.locate(i)[1].top for i in range(len(dataset))})
    assert tops == [0, 12, 24, 26]  # one more window, snapped to the edge


def test_windows_index_several_scenes_in_order(tmp_path: Path, write_geotiff: WriteGeoTIFF) -> None:
    reader = WindowReader(scale=2)
    scenes = [
        Scene(
            hr=probe_raster(write_geotiff(tmp_path / f"{n}.tif", random_reflectance(1, 32, w, n)))
        )
        for n, w in enumerate((32, 64))
    ]
    dataset = RasterTileDataset(scenes, reader, 16)
    assert len(dataset) == 4 + 8
    assert dataset.locate(3) == (0, dataset.grids[0].window(3))
    assert dataset.locate(4)[0] == 1
    with pytest.raises(IndexError):
        dataset[12]


def test_bad_tiling_requests(tmp_path: Path, write_geotiff: WriteGeoTIFF) -> None:
    path = write_geotiff(tmp_path / "s.tif", random_reflectance(1, 32, 32, 0))
    with pytest.raises(InvalidParamError) as caught:
        _dataset(path, tile=15)
    assert caught.value.key == "tile_size"
    with pytest.raises(DataError, match="smaller than one tile"):
        _dataset(path, tile=64)
