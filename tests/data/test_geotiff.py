"""GeoTIFF headers and windowed reads: CRS, transform, nodata, dtypes, bad files, missing extra."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from gan_engine.data.rasters.files import probe_raster, probe_rasters, read_window
from gan_engine.errors import DataError
from gan_engine.io.geotiff import (
    RasterioMissingError,
    probe_geotiff,
    read_geotiff_window,
    write_geotiff,
)
from gan_engine.io.raster_header import PixelWindow, parse_transform
from tests.data.conftest import GEO_TRANSFORM, WriteGeoTIFF, random_reflectance


def test_header_reads_crs_transform_nodata_and_dtype(
    tmp_path: Path, write_geotiff: WriteGeoTIFF
) -> None:
    path = write_geotiff(tmp_path / "s.tif", random_reflectance(4, 40, 56, 0), nodata=0)
    header = probe_geotiff(path)
    assert (header.bands, header.height, header.width) == (4, 40, 56)
    assert header.dtype == "uint16"
    assert header.nodata == 0.0
    assert header.crs == "EPSG:32633"
    assert header.transform == GEO_TRANSFORM
    assert header.value_bounds() == (0.0, 65535.0)
    # The transform of a window moves the origin by whole pixels.
    moved = header.window_transform(PixelWindow(top=3, left=5, height=8, width=8))
    assert moved == (10.0, 0.0, 500050.0, 0.0, -10.0, 4199970.0)


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")  # the writer's
def test_no_georeferencing_reads_as_none(tmp_path: Path, write_geotiff: WriteGeoTIFF) -> None:
    path = write_geotiff(
        tmp_path / "plain.tif", np.zeros((1, 8, 8), np.float32), crs=None, transform=None
    )
    header = probe_geotiff(path)
    assert header.crs is None
    assert header.transform is None
    assert header.nodata is None


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.float32])
def test_window_read_keeps_dtype_and_values(
    tmp_path: Path, write_geotiff: WriteGeoTIFF, dtype: type
) -> None:
    array = (np.arange(3 * 32 * 48) % 200).reshape(3, 32, 48).astype(dtype)
    header = probe_geotiff(write_geotiff(tmp_path / "d.tif", array))
    window = PixelWindow(top=4, left=10, height=16, width=20)
    got = read_geotiff_window(header, window)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, array[:, 4:20, 10:30])
    np.testing.assert_array_equal(read_window(header, window), got)


def test_window_outside_the_raster_is_refused(tmp_path: Path, write_geotiff: WriteGeoTIFF) -> None:
    header = probe_geotiff(write_geotiff(tmp_path / "s.tif", random_reflectance(1, 16, 16, 0)))
    with pytest.raises(ValueError, match="outside raster"):
        read_geotiff_window(header, PixelWindow(8, 8, 16, 16))


def test_writer_round_trips_georeferencing(tmp_path: Path) -> None:
    array = random_reflectance(2, 32, 32, 1)
    path = write_geotiff(
        tmp_path / "w.tif", array, crs="EPSG:32633", transform=GEO_TRANSFORM, nodata=0
    )
    header = probe_geotiff(path)
    assert (header.crs, header.transform, header.nodata) == ("EPSG:32633", GEO_TRANSFORM, 0.0)
    np.testing.assert_array_equal(read_geotiff_window(header, header.full_window()), array)


def test_corrupt_file_is_a_data_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "broken.tif"
    bad.write_bytes(b"II*\x00 not really a tiff")
    with pytest.raises(DataError, match=r"broken\.tif"):
        probe_raster(bad)
    with pytest.raises(DataError, match=r"missing\.tif"):
        probe_raster(tmp_path / "missing.tif")


def test_skip_unreadable_warns_with_the_list_and_counts(
    tmp_path: Path, write_geotiff: WriteGeoTIFF
) -> None:
    good = write_geotiff(tmp_path / "good.tif", random_reflectance(1, 8, 8, 0))
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"junk")
    with pytest.raises(DataError, match=r"bad\.tif"):
        probe_rasters([good, bad])
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable raster file\(s\): .*bad.tif"):
        probed = probe_rasters([good, bad], skip_unreadable=True)
    assert [h.path for h in probed.headers] == [good]
    assert probed.skipped == [bad]


def test_missing_rasterio_names_the_extra(
    tmp_path: Path, write_geotiff: WriteGeoTIFF, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_geotiff(tmp_path / "s.tif", random_reflectance(1, 8, 8, 0))
    monkeypatch.setitem(sys.modules, "rasterio", None)  # makes `import rasterio` fail
    with pytest.raises(RasterioMissingError) as caught:
        probe_raster(path)
    message = str(caught.value)
    assert message.startswith(
        "GeoTIFF support needs the 'geo' extra: pip install 'gan-engine[geo]'"
    )
    assert isinstance(caught.value, DataError)
    # Skipping unreadable files never hides a missing extra.
    with pytest.raises(RasterioMissingError):
        probe_rasters([path], skip_unreadable=True)


def test_transform_text_round_trips_exactly() -> None:
    from gan_engine.io.raster_header import format_transform

    transform = (10.0, 0.0, 500000.123456789, 0.0, -10.0, 4199999.987654321)
    assert parse_transform(format_transform(transform)) == transform
    assert parse_transform(format_transform(None)) is None
