"""TIFF images and stacks as [C, D, H, W] sources: layouts, memory maps, dtypes, bad files."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from gan_engine.data.files import sample_photos_folder
from gan_engine.data.sources import full_box
from gan_engine.errors import DataError
from gan_engine.io.tiff import TiffStackSource
from tests.data.modality_files import ramp, write_tiff


def test_zyx_stack_is_memory_mapped(tmp_path: Path) -> None:
    array = ramp((5, 8, 9), np.uint16)
    source = TiffStackSource(write_tiff(tmp_path / "stack.tif", array, "ZYX"))
    assert source.memory_mappable
    assert source.shape == (1, 5, 8, 9)
    assert source.dtype == np.uint16
    window = source.read(((1, 4), (2, 6), (3, 9)))
    assert isinstance(window, np.ndarray)
    assert not isinstance(window, np.memmap)
    np.testing.assert_array_equal(window[0], array[1:4, 2:6, 3:9])


def test_zcyx_stack_puts_channels_first(tmp_path: Path) -> None:
    array = ramp((4, 2, 6, 7), np.float32)
    source = TiffStackSource(write_tiff(tmp_path / "zcyx.tif", array, "ZCYX"))
    assert source.shape == (2, 4, 6, 7)
    assert source.dtype == np.float32
    np.testing.assert_array_equal(source.read(full_box(source.shape)), array.transpose(1, 0, 2, 3))


def test_axes_of_size_one_are_dropped(tmp_path: Path) -> None:
    array = ramp((1, 3, 2, 5, 6), np.uint8)
    source = TiffStackSource(write_tiff(tmp_path / "tzcyx.tif", array, "TZCYX"))
    assert source.shape == (2, 3, 5, 6)
    np.testing.assert_array_equal(
        source.read(full_box(source.shape)), array[0].transpose(1, 0, 2, 3)
    )


def test_single_images_are_stacks_of_one(tmp_path: Path) -> None:
    gray = TiffStackSource(write_tiff(tmp_path / "gray.tif", ramp((6, 7), np.uint8)))
    assert gray.shape == (1, 1, 6, 7)
    rgb_array = ramp((6, 7, 3), np.uint8)
    import tifffile

    tifffile.imwrite(tmp_path / "rgb.tif", rgb_array, photometric="rgb")
    rgb = TiffStackSource(tmp_path / "rgb.tif")
    assert rgb.shape == (3, 1, 6, 7)
    np.testing.assert_array_equal(rgb.read(full_box(rgb.shape))[:, 0], rgb_array.transpose(2, 0, 1))


def test_compressed_stacks_are_decoded_whole(tmp_path: Path) -> None:
    array = ramp((3, 8, 8), np.uint16)
    source = TiffStackSource(write_tiff(tmp_path / "z.tif", array, "ZYX", compression="zlib"))
    assert not source.memory_mappable
    np.testing.assert_array_equal(source.read(((2, 3), (0, 8), (4, 8)))[0], array[2:3, :, 4:8])


def test_scikit_image_multipage_files() -> None:
    folder = sample_photos_folder()
    pages = TiffStackSource(folder / "multipage.tif")
    assert pages.shape == (1, 2, 15, 10)
    assert pages.dtype == np.uint8
    rgb = TiffStackSource(folder / "multipage_rgb.tif")
    assert rgb.shape == (3, 2, 10, 10)
    assert rgb.dtype == np.float64


def test_pickled_source_drops_the_memory_map(tmp_path: Path) -> None:
    source = TiffStackSource(write_tiff(tmp_path / "s.tif", ramp((40, 64, 64), np.uint16), "ZYX"))
    source.read(((0, 1), (0, 1), (0, 1)))
    blob = pickle.dumps(source)
    assert len(blob) < 10_000
    clone = pickle.loads(blob)
    np.testing.assert_array_equal(
        clone.read(((39, 40), (0, 64), (0, 64))), source.read(((39, 40), (0, 64), (0, 64)))
    )


def test_bad_files_name_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"II*\x00garbage" * 10)
    with pytest.raises(DataError, match=r"junk\.tif"):
        TiffStackSource(junk)
    good = write_tiff(tmp_path / "cut.tif", ramp((4, 32, 32), np.uint16), "ZYX")
    good.write_bytes(good.read_bytes()[:3000])
    with pytest.raises(DataError, match=r"cut\.tif"):
        TiffStackSource(good)
    two_depths = write_tiff(tmp_path / "tz.tif", ramp((2, 3, 4, 5), np.uint8), "TZYX")
    with pytest.raises(DataError, match=r"tz\.tif has axes 'TZYX'"):
        TiffStackSource(two_depths)
    flags = write_tiff(tmp_path / "bool.tif", np.ones((4, 4), dtype=bool))
    with pytest.raises(DataError, match=r"bool\.tif has bool pixels"):
        TiffStackSource(flags)
