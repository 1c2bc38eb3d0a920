"""GeoTIFF reading and writing with rasterio (the ``geo`` extra), one window at a time.

rasterio is imported inside the functions that need it, so ``gan_engine.data`` imports without it; a
missing rasterio raises a :class:`~gan_engine.errors.DataError` naming the extra to install. Each read
opens the file, reads one :class:`rasterio.windows.Window` and closes it again: memory holds that
window only (GDAL's block cache is released with the dataset), and no open handle is shared between
DataLoader worker processes.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gan_engine.data.raster_header import GeoTransform, NativeArray, PixelWindow, RasterHeader
from gan_engine.errors import DataError

if TYPE_CHECKING:
    from affine import Affine
    from rasterio.crs import CRS

GEOTIFF_EXTENSIONS: tuple[str, ...] = ("tif", "tiff")


class RasterioMissingError(DataError, ImportError):
    """rasterio (the ``geo`` extra) is not installed or fails to import."""


def require_rasterio() -> None:
    """Check that rasterio imports, or raise :class:`RasterioMissingError` naming the extra."""
    try:
        import rasterio  # noqa: F401
    except ImportError as error:
        msg = (
            "GeoTIFF support needs the 'geo' extra: pip install 'gan-engine[geo]' "
            f"(cannot import rasterio: {error})"
        )
        raise RasterioMissingError(msg) from error


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence rasterio's warning for files without georeferencing (plain TIFFs are fine)."""
    from rasterio.errors import NotGeoreferencedWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        yield


def _unreadable(path: Path, error: Exception) -> DataError:
    msg = f"cannot read GeoTIFF {path}: {type(error).__name__}: {error}"
    return DataError(msg)


def probe_geotiff(path: str | Path) -> RasterHeader:
    """Read a GeoTIFF's header: bands, size, dtype, nodata, CRS and transform.

    Raises:
        DataError: rasterio is missing, or the file is missing, corrupt or has mixed band dtypes.
    """
    path = Path(path)
    require_rasterio()
    import rasterio

    try:
        with _quiet(), rasterio.open(path) as source:
            dtypes = set(source.dtypes)
            crs = source.crs
            transform = source.transform
            header = RasterHeader(
                path=path,
                bands=int(source.count),
                height=int(source.height),
                width=int(source.width),
                dtype=str(source.dtypes[0]) if source.dtypes else "",
                nodata=None if source.nodata is None else float(source.nodata),
                crs=None if crs is None else _crs_text(crs),
                transform=_coefficients(transform),
            )
    except Exception as error:  # GDAL reports bad files with several exception types
        raise _unreadable(path, error) from error
    if len(dtypes) != 1:
        msg = f"GeoTIFF {path} mixes band dtypes {sorted(dtypes)}; raster datasets need one dtype"
        raise DataError(msg)
    return header


def _crs_text(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code}" if code is not None else crs.to_string()


def _coefficients(transform: Affine) -> GeoTransform | None:
    values = tuple(float(v) for v in tuple(transform)[:6])
    if values == (1.0, 0.0, 0.0, 0.0, 1.0, 0.0):
        return None  # GDAL's default when a file has no georeferencing
    return values[0], values[1], values[2], values[3], values[4], values[5]


def read_geotiff_window(header: RasterHeader, window: PixelWindow) -> NativeArray:
    """Read ``window`` of every band: ``[C, height, width]`` in the file's dtype.

    Raises:
        DataError: the file cannot be read any more (changed or corrupt since it was probed).
    """
    header.check_window(window)
    require_rasterio()
    import rasterio
    from rasterio.windows import Window

    try:
        with _quiet(), rasterio.open(header.path) as source:
            array = source.read(window=Window(window.left, window.top, window.width, window.height))
    except Exception as error:  # GDAL reports bad files with several exception types
        raise _unreadable(header.path, error) from error
    expected = (header.bands, window.height, window.width)
    if array.shape != expected:
        msg = f"GeoTIFF {header.path} changed since it was probed: read {array.shape}, expected {expected}"
        raise DataError(msg)
    return array


def write_geotiff(
    path: str | Path,
    array: NativeArray,
    *,
    crs: str | None = None,
    transform: GeoTransform | None = None,
    nodata: float | None = None,
    tiled: bool = True,
) -> Path:
    """Write ``array`` ``[C, H, W]`` as a (tiled, deflate-compressed) GeoTIFF; returns the path.

    ``crs`` is anything rasterio accepts (``"EPSG:32633"``); ``transform`` the affine coefficients.
    """
    require_rasterio()
    import rasterio
    from affine import Affine

    path = Path(path)
    if array.ndim != 3:
        msg = f"write_geotiff expects [C, H, W], got shape {array.shape}"
        raise ValueError(msg)
    bands, height, width = array.shape
    options: dict[str, Any] = {"compress": "deflate"}
    if tiled and height >= 16 and width >= 16:
        options |= {"tiled": True, "blockxsize": 256, "blockysize": 256}
        if height < 256 or width < 256:
            options |= {"blockxsize": 16, "blockysize": 16}
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        _quiet(),
        rasterio.open(
            path,
            "w",
            driver="GTiff",
            width=width,
            height=height,
            count=bands,
            dtype=np.dtype(array.dtype).name,
            crs=crs,
            transform=None if transform is None else Affine(*transform),
            nodata=nodata,
            **options,
        ) as target,
    ):
        target.write(array)
    return path
