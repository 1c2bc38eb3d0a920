"""Raster files by extension: GeoTIFF (``.tif``/``.tiff``) or NumPy (``.npy``/``.npz``).

:func:`probe_rasters` reads every header up front (optionally skipping unreadable files with a
warning that lists them) and :func:`read_window` fetches one window in the stored dtype.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import attrs

from gan_engine.errors import DataError
from gan_engine.io.arrays import ARRAY_EXTENSIONS, probe_array, read_array_window
from gan_engine.io.geotiff import (
    GEOTIFF_EXTENSIONS,
    RasterioMissingError,
    probe_geotiff,
    read_geotiff_window,
)
from gan_engine.io.raster_header import NativeArray, PixelWindow, RasterHeader

RASTER_EXTENSIONS: tuple[str, ...] = GEOTIFF_EXTENSIONS + ARRAY_EXTENSIONS


def _kind(path: Path) -> str:
    extension = path.suffix.lower().lstrip(".")
    if extension in GEOTIFF_EXTENSIONS:
        return "geotiff"
    if extension in ARRAY_EXTENSIONS:
        return "array"
    msg = f"{path} is not a raster file: expected one of the extensions {list(RASTER_EXTENSIONS)}"
    raise DataError(msg)


def probe_raster(path: str | Path, nodata: float | None = None) -> RasterHeader:
    """The header of a raster file; ``nodata`` (when given) replaces the file's own nodata value.

    Raises:
        DataError: unknown extension, missing optional dependency, or an unreadable file.
    """
    path = Path(path)
    header = probe_geotiff(path) if _kind(path) == "geotiff" else probe_array(path)
    if nodata is not None:
        header = attrs.evolve(header, nodata=nodata)
    return header


def read_window(header: RasterHeader, window: PixelWindow) -> NativeArray:
    """Pixels ``[C, height, width]`` of ``window`` in the stored dtype."""
    if _kind(header.path) == "geotiff":
        return read_geotiff_window(header, window)
    return read_array_window(header, window)


@attrs.frozen
class Probed:
    """Headers of the readable files, and the files skipped as unreadable."""

    headers: list[RasterHeader]
    skipped: list[Path]


def probe_rasters(
    paths: Sequence[Path], *, nodata: float | None = None, skip_unreadable: bool = False
) -> Probed:
    """Probe every file in order.

    Args:
        paths: the files.
        nodata: a nodata value that overrides every file's own.
        skip_unreadable: leave out files that cannot be read (with one warning listing them)
            instead of raising.

    Raises:
        DataError: a file cannot be read and ``skip_unreadable`` is false, naming the file; also
            when a missing optional dependency makes every file unreadable.
    """
    headers: list[RasterHeader] = []
    skipped: list[Path] = []
    for path in paths:
        try:
            headers.append(probe_raster(path, nodata))
        except DataError as error:
            if not skip_unreadable or isinstance(error, RasterioMissingError):
                raise
            skipped.append(path)
    if skipped:
        listed = ", ".join(str(path) for path in skipped)
        warnings.warn(
            f"skipped {len(skipped)} unreadable raster file(s): {listed}", UserWarning, stacklevel=2
        )
    return Probed(headers=headers, skipped=skipped)
