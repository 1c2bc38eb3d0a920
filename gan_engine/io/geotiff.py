"""GeoTIFF rasters through rasterio (the ``geo`` extra), read and written window by window.

Axes: ``[C, H, W]`` = (bands, rows, columns), the same for training and prediction; values keep the
file's dtype, nodata value and georeferencing (CRS and geotransform).

Training (:func:`probe_geotiff`, :func:`read_geotiff_window`) opens the file for each window and
closes it again: memory holds that window only (GDAL's block cache is released with the dataset), and
no open handle is shared between DataLoader worker processes. A missing rasterio raises
:class:`RasterioMissingError` naming the extra to install.

Prediction (:class:`GeoTiffSource`, :class:`GeoTiffSink`) keeps the dataset open while a scene is
predicted. The output keeps the CRS, band descriptions, tags and nodata value; its geotransform is the
input's with pixels ``scale`` times smaller (same footprint). It is tiled (256-pixel blocks), BigTIFF
when needed, and compressed like the input. GDAL's block cache is capped while a sink is open (three
rows of output blocks, at least 16 MiB): enough to keep blocks that straddle two written row bands
until they are complete, so memory stays bounded whatever the scene height.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.errors import InputError
from gan_engine.io.optional import require
from gan_engine.io.raster_header import GeoTransform, NativeArray, PixelWindow, RasterHeader

if TYPE_CHECKING:
    from affine import Affine
    from rasterio.crs import CRS

BLOCK_SIZE = 256
"""Output block edge (pixels)."""

MIN_CACHE_BYTES = 16 * 2**20
"""Smallest GDAL block cache while writing; raised to hold three rows of output blocks."""


GEOTIFF_EXTENSIONS: tuple[str, ...] = ("tif", "tiff")


class RasterioMissingError(InputError, ImportError):
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


def _unreadable(path: Path, error: Exception) -> InputError:
    msg = f"cannot read GeoTIFF {path}: {type(error).__name__}: {error}"
    return InputError(msg)


def probe_geotiff(path: str | Path) -> RasterHeader:
    """Read a GeoTIFF's header: bands, size, dtype, nodata, CRS and transform.

    Raises:
        InputError: rasterio is missing, or the file is missing, corrupt or has mixed band dtypes.
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
        raise InputError(msg)
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
        InputError: the file cannot be read any more (changed or corrupt since it was probed).
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
        raise InputError(msg)
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


def _window(window: Window) -> Any:
    windows = require("rasterio.windows", "geo", Path("<GeoTIFF>"))
    rows, cols = window
    return windows.Window(cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start)


class GeoTiffSource:
    """A GeoTIFF seen as ``[C, H, W]``, read window by window from a dataset kept open.

    Its shape, dtype and nodata value come from the training reader's header (:func:`probe_geotiff`).
    """

    def __init__(self, path: Path) -> None:
        self.header = probe_geotiff(path)
        rasterio = require("rasterio", "geo", path)
        try:
            self.dataset: Any = rasterio.open(path)
        except Exception as error:  # rasterio raises RasterioIOError and GDAL errors
            raise _unreadable(path, error) from error
        self.path = path
        header = self.header
        self.shape: tuple[int, ...] = (header.bands, header.height, header.width)
        self.dtype: np.dtype[Any] = np.dtype(header.dtype)
        self.nodata: float | None = header.nodata

    def read(self, window: Window) -> npt.NDArray[Any]:
        """Values ``[C, h, w]`` at ``window`` (rows, columns)."""
        data: npt.NDArray[Any] = self.dataset.read(window=_window(window))
        return data

    def georeference(self) -> tuple[str, Any] | None:
        """``("CRS and transform", (crs, coefficients))``; ``None`` for a raster without either."""
        dataset = self.dataset
        if dataset.crs is None and dataset.transform.is_identity:
            return None
        crs = None if dataset.crs is None else dataset.crs.to_string()
        return "CRS and transform", (
            crs,
            tuple(round(float(v), 9) for v in tuple(dataset.transform)[:6]),
        )

    def create_sink(self, target: Path, layout: OutputLayout) -> RasterSink:
        """A GeoTIFF output with this raster's georeferencing, pixels ``layout.scale`` times smaller."""
        return GeoTiffSink(target, self.dataset, layout)

    def close(self) -> None:
        """Close the dataset."""
        self.dataset.close()


class GeoTiffSink:
    """Writes a GeoTIFF window by window into a temporary file, renamed on commit."""

    def __init__(self, target: Path, source: Any, layout: OutputLayout) -> None:
        rasterio = require("rasterio", "geo", target)
        channels, height, width = layout.shape
        profile = {
            "driver": "GTiff",
            "width": width,
            "height": height,
            "count": channels,
            "dtype": layout.dtype.name,
            "crs": source.crs,
            "transform": source.transform @ rasterio.Affine.scale(1 / layout.scale),
            "nodata": layout.nodata,
            "tiled": True,
            "blockxsize": BLOCK_SIZE,
            "blockysize": BLOCK_SIZE,
            "BIGTIFF": "IF_SAFER",
        }
        compression = source.profile.get("compress")
        if compression:
            profile["compress"] = compression
        row_of_blocks = BLOCK_SIZE * width * channels * layout.dtype.itemsize
        self.target = target
        self.temporary = temporary_beside(target, ".tif")
        self._stack = ExitStack()
        try:
            cache = max(MIN_CACHE_BYTES, 3 * row_of_blocks)
            self._stack.enter_context(rasterio.Env(GDAL_CACHEMAX=cache))
            self.dataset: Any = self._stack.enter_context(
                rasterio.open(self.temporary, "w", **profile)
            )
            self.dataset.update_tags(**source.tags())
            if channels == source.count:
                for band, description in enumerate(source.descriptions, start=1):
                    if description:
                        self.dataset.set_band_description(band, description)
        except BaseException:
            self._stack.close()
            discard(self.temporary)
            raise

    def write(self, window: Window, data: npt.NDArray[Any]) -> None:
        """Store ``data[C, h, w]`` at ``window`` (rows, columns)."""
        self.dataset.write(data, window=_window(window))

    def commit(self) -> None:
        """Close the file and move it to its final name."""
        self._stack.close()
        publish(self.temporary, self.target)

    def abort(self) -> None:
        """Close and remove the temporary file."""
        try:
            self._stack.close()
        finally:
            discard(self.temporary)
