"""GeoTIFF rasters through rasterio, read and written window by window (scenes larger than memory).

The output keeps the CRS, band descriptions, tags and nodata value; its geotransform is the input's
with pixels ``scale`` times smaller (same footprint). It is tiled (256-pixel blocks), BigTIFF when
needed, and compressed like the input. GDAL's block cache is capped while a sink is open (three rows of
output blocks, at least 16 MiB): enough to keep blocks that straddle two written row bands until they
are complete, so memory stays bounded whatever the scene height.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.errors import InputError
from gan_engine.io.optional import require

BLOCK_SIZE = 256
"""Output block edge (pixels)."""

MIN_CACHE_BYTES = 16 * 2**20
"""Smallest GDAL block cache while writing; raised to hold three rows of output blocks."""


def _window(window: Window) -> Any:
    windows = require("rasterio.windows", "geo", Path("<GeoTIFF>"))
    rows, cols = window
    return windows.Window(cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start)


class GeoTiffSource:
    """A GeoTIFF seen as ``[C, H, W]``, read window by window."""

    def __init__(self, path: Path) -> None:
        rasterio = require("rasterio", "geo", path)
        try:
            self.dataset: Any = rasterio.open(path)
        except Exception as error:  # rasterio raises RasterioIOError and GDAL errors
            msg = f"cannot read GeoTIFF {path}: {error}"
            raise InputError(msg) from error
        self.path = path
        dataset = self.dataset
        self.shape: tuple[int, ...] = (int(dataset.count), int(dataset.height), int(dataset.width))
        self.dtype: np.dtype[Any] = np.dtype(dataset.dtypes[0])
        nodata = dataset.nodata
        self.nodata: float | None = None if nodata is None else float(nodata)

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
