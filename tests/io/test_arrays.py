"""NumPy rasters: memory-mapped .npy windows, single-array .npz, headers without data, bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gan_engine.data.rasters.files import probe_raster
from gan_engine.errors import DataError
from gan_engine.io.arrays import probe_array, read_array_window
from gan_engine.io.raster_header import PixelWindow


def test_npy_header_and_window(tmp_path: Path) -> None:
    array = np.arange(2 * 30 * 40, dtype=np.uint16).reshape(2, 30, 40)
    path = tmp_path / "scene.npy"
    np.save(path, array)
    header = probe_array(path)
    assert (header.bands, header.height, header.width, header.dtype) == (2, 30, 40, "uint16")
    assert header.crs is None
    got = read_array_window(header, PixelWindow(5, 7, 10, 12))
    assert got.dtype == np.uint16
    np.testing.assert_array_equal(got, array[:, 5:15, 7:19])


def test_npy_reads_only_the_window_through_a_memory_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.npy"
    np.save(path, np.zeros((1, 64, 64), np.float32))
    calls: list[object] = []
    original = np.load

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("mmap_mode"))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(np, "load", spy)
    read_array_window(probe_array(path), PixelWindow(0, 0, 8, 8))
    assert calls == ["r"]


def test_two_dimensional_arrays_are_one_band(tmp_path: Path) -> None:
    path = tmp_path / "gray.npy"
    array = np.random.default_rng(0).random((20, 24)).astype(np.float32)
    np.save(path, array)
    header = probe_raster(path)
    assert header.bands == 1
    np.testing.assert_array_equal(read_array_window(header, header.full_window())[0], array)


def test_npz_single_array(tmp_path: Path) -> None:
    path = tmp_path / "scene.npz"
    array = np.random.default_rng(1).integers(0, 255, (3, 16, 16), dtype=np.uint8)
    np.savez_compressed(path, image=array)
    header = probe_raster(path)
    assert (header.bands, header.dtype) == (3, "uint8")
    np.testing.assert_array_equal(
        read_array_window(header, PixelWindow(2, 2, 8, 8)), array[:, 2:10, 2:10]
    )


@pytest.mark.parametrize(
    ("writer", "match"),
    [
        (
            lambda p: np.savez(p.with_suffix(".npz"), a=np.zeros((4, 4)), b=np.zeros((4, 4))),
            "holds 2 arrays",
        ),
        (lambda p: np.save(p.with_suffix(".npy"), np.zeros((2, 2, 4, 4))), "shape"),
        (lambda p: np.save(p.with_suffix(".npy"), np.zeros((4, 4), dtype=complex)), "complex"),
        (lambda p: p.with_suffix(".npy").write_bytes(b"not numpy"), "cannot read"),
    ],
)
def test_bad_array_files_name_the_file(tmp_path: Path, writer: object, match: str) -> None:
    base = tmp_path / "bad"
    writer(base)  # type: ignore[operator]
    path = next(tmp_path.glob("bad.*"))
    with pytest.raises(DataError, match=match) as caught:
        probe_raster(path)
    assert str(path) in str(caught.value)
