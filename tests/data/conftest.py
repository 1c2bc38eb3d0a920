"""Fixtures for data tests: small image files written with Pillow, small GeoTIFFs with rasterio."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

RandomRGB = Callable[[int, int, int], np.ndarray]
WriteImage = Callable[[Path, np.ndarray], Path]
WriteGeoTIFF = Callable[..., Path]

GEO_TRANSFORM = (10.0, 0.0, 500000.0, 0.0, -10.0, 4200000.0)
"""10 m pixels with the top-left corner at (500000 E, 4200000 N)."""


def _random_rgb(height: int, width: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _write_image(path: Path, array: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


@pytest.fixture
def random_rgb() -> RandomRGB:
    """``(height, width, seed) -> uint8 [H, W, 3]`` noise."""
    return _random_rgb


@pytest.fixture
def write_image() -> WriteImage:
    """``(path, array) -> path``: save an array with Pillow (format from the extension)."""
    return _write_image


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    """Five random 8-bit RGB PNGs of different sizes (48..80 x 64), named a.png … e.png."""
    folder = tmp_path / "photos"
    for seed, name in enumerate("abcde"):
        _write_image(folder / f"{name}.png", _random_rgb(48 + 8 * seed, 64, seed))
    return folder


@pytest.fixture(scope="session")
def sample_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the built-in multispectral scenes, shared by the tests of one session."""
    return tmp_path_factory.mktemp("sample_multispectral")


def _write_geotiff(
    path: Path,
    array: np.ndarray,
    *,
    nodata: float | None = None,
    crs: str | None = "EPSG:32633",
    transform: tuple[float, ...] | None = GEO_TRANSFORM,
) -> Path:
    """Write ``[C, H, W]`` with rasterio directly (independent of the code under test)."""
    import rasterio
    from affine import Affine

    path.parent.mkdir(parents=True, exist_ok=True)
    bands, height, width = array.shape
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=bands,
        dtype=array.dtype.name,
        crs=crs,
        transform=Affine(*transform) if transform else None,
        nodata=nodata,
    ) as target:
        target.write(array)
    return path


@pytest.fixture
def write_geotiff() -> WriteGeoTIFF:
    """``(path, array [C, H, W], nodata=, crs=, transform=) -> path``, written with rasterio."""
    return _write_geotiff


def random_reflectance(bands: int, height: int, width: int, seed: int) -> np.ndarray:
    """uint16 ``[C, H, W]`` in ``1..10000`` (0 is free for nodata)."""
    return np.random.default_rng(seed).integers(1, 10001, (bands, height, width), dtype=np.uint16)


@pytest.fixture
def geotiff_folder(tmp_path: Path) -> Path:
    """Four 4-band uint16 GeoTIFFs ``a..d.tif`` (64x48 .. 64x72), nodata 0 in a top-left block."""
    folder = tmp_path / "scenes"
    for seed, name in enumerate("abcd"):
        array = random_reflectance(4, 64, 48 + 8 * seed, seed)
        array[:, :8, :8] = 0
        _write_geotiff(folder / f"{name}.tif", array, nodata=0)
    return folder
