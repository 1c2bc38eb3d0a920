"""Raster files by extension: GeoTIFF (``.tif``/``.tiff``) or NumPy (``.npy``/``.npz``).

:func:`probe_rasters` reads every header up front (unreadable files fail or are skipped with a
warning that lists them, see :mod:`gan_engine.data.unreadable`) and :func:`read_window` fetches
one window in the stored dtype.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from gan_engine.data.unreadable import UnreadableFiles, UnreadablePolicy, open_readable, reading
from gan_engine.errors import DataError
from gan_engine.io.arrays import ARRAY_EXTENSIONS, probe_array, read_array_window
from gan_engine.io.geotiff import (
    GEOTIFF_EXTENSIONS,
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


@attrs.frozen
class Probed:
    """Headers of the readable files, and the files skipped as unreadable."""

    headers: list[RasterHeader]
    skipped: list[Path]


def probe_rasters(
    paths: Sequence[Path],
    *,
    nodata: float | None = None,
    skip_unreadable: bool = False,
    unreadable: UnreadablePolicy = "fail",
    tally: UnreadableFiles | None = None,
) -> Probed:
    """Probe every file in order (see :func:`~gan_engine.data.unreadable.open_readable`).

    Args:
        paths: the files.
        nodata: a nodata value that overrides every file's own.
        skip_unreadable: the older spelling of ``unreadable="skip"``.
        unreadable: ``skip`` leaves out files that cannot be read (with one warning listing them)
            instead of raising.
        tally: where skipped files are counted too.

    Raises:
        UnreadableFileError: a file cannot be read and the policy is ``fail``, naming the file.
        RasterioMissingError: rasterio is missing (never skipped: every file would be).
    """
    policy: UnreadablePolicy = "skip" if skip_unreadable else unreadable
    headers = open_readable(
        paths, lambda path: probe_raster(path, nodata), policy, "raster file", tally
    )
    kept = {header.path for header in headers}
    return Probed(headers=headers, skipped=[path for path in paths if Path(path) not in kept])


def read_window(header: RasterHeader, window: PixelWindow) -> NativeArray:
    """Pixels ``[C, height, width]`` of ``window`` in the stored dtype.

    Raises:
        UnreadableFileError: the file cannot be read (any more), naming it.
    """
    with reading(header.path):
        if _kind(header.path) == "geotiff":
            return read_geotiff_window(header, window)
        return read_array_window(header, window)
