"""TIFF images and stacks that are not georeferenced, through tifffile: read whole, written streamed.

The first image series is read; its axes (tifffile's letters) map to ``[C, *S]``: ``S`` (samples) or
``C`` is the band axis, ``Y`` and ``X`` the image, and at most one more axis longer than 1 (``Z``,
``T``, ``Q``, ``I``, …) the depth of a volume or the frames of a stack. The output keeps the axis
order, the photometric interpretation and the dtype; it is written window by window into its place
in an uncompressed file (BigTIFF beyond 4 GiB), never held whole. Georeferenced TIFFs go through
:mod:`gan_engine.io.geotiff` instead.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.errors import InputError, OutputError
from gan_engine.io.memory import ArraySource
from gan_engine.io.optional import require
from gan_engine.io.stream import RegionFile

_BAND_AXES = frozenset("SC")


def open_tiff(path: Path) -> ArraySource:
    """Read the first series of ``path`` into an in-memory source ``[C, *S]``."""
    tifffile = require("tifffile", "microscopy", path)
    try:
        with tifffile.TiffFile(path) as tif:
            series = tif.series[0]
            axes: str = series.axes
            array = np.asarray(series.asarray())
            photometric = "rgb" if tif.pages[0].photometric == tifffile.PHOTOMETRIC.RGB else None
    except Exception as error:  # tifffile reports bad files with many exception types
        msg = f"cannot read TIFF {path}: {type(error).__name__}: {error}"
        raise InputError(msg) from error
    kept = [
        i
        for i, (axis, size) in enumerate(zip(axes, array.shape, strict=True))
        if size > 1 or axis in "YX"
    ]
    bands = [i for i in kept if axes[i] in _BAND_AXES]
    spatial = [i for i in kept if axes[i] not in _BAND_AXES]
    if len(bands) > 1 or len(spatial) > 3:
        msg = (
            f"TIFF {path} has axes {axes} of shape {array.shape}: expected one band axis (S or C), "
            "Y, X and at most one depth or frame axis"
        )
        raise InputError(msg)
    squeezed = array.reshape([array.shape[i] for i in kept])
    order = [kept.index(i) for i in bands + spatial]
    channels_first = squeezed.transpose(order) if bands else squeezed[None]
    kept_axes = "".join(axes[i] for i in kept)
    inverse = list(np.argsort(order)) if bands else None

    def create(target: Path, layout: OutputLayout) -> RasterSink:
        return TiffSink(target, layout, kept_axes, photometric, inverse)

    return ArraySource(np.ascontiguousarray(channels_first), path, None, create)


BIGTIFF_FROM = 2**32 - 2**25
"""Outputs with more data bytes than this are BigTIFF (classic TIFF offsets end at 4 GiB)."""


class TiffSink:
    """Writes an uncompressed TIFF window by window: the header first, pixels where they belong.

    The file is laid out by tifffile exactly as a whole-array write would lay it out (one
    contiguous series, ``axes`` order, strips of whole rows), so each written window lands in its
    place on disk and nothing is held in memory; written in the tiler's row bands, an interleaved
    (``YXS``) image takes one write per band. BigTIFF when the pixels exceed
    :data:`BIGTIFF_FROM` bytes, or when ``bigtiff`` asks for it.

    Args:
        target: the final name.
        layout: the output ``[C, *S]``.
        axes: tifffile axis letters of the file's array.
        photometric: ``rgb`` or ``None`` (minisblack).
        order: the permutation of ``[C, *S]`` that gives the file's axes, or ``None`` when the
            file has no band axis (``C`` is dropped).
        bigtiff: force (``True``) or forbid (``False``) BigTIFF; ``None`` decides by size.
    """

    def __init__(
        self,
        target: Path,
        layout: OutputLayout,
        axes: str,
        photometric: str | None,
        order: list[int] | None,
        *,
        bigtiff: bool | None = None,
    ) -> None:
        tifffile = require("tifffile", "microscopy", target)
        self.order = order
        shape = tuple(layout.shape[i] for i in order) if order is not None else layout.shape[1:]
        big = (
            bigtiff
            if bigtiff is not None
            else math.prod(shape) * layout.dtype.itemsize > BIGTIFF_FROM
        )
        dtype = layout.dtype.newbyteorder("<")

        def create(temporary: Path) -> int:
            with tifffile.TiffWriter(temporary, bigtiff=big, byteorder="<") as writer:
                placed = writer.write(
                    shape=shape,
                    dtype=dtype,
                    photometric=photometric or "minisblack",
                    metadata={"axes": axes},
                    returnoffset=True,
                )
            if placed is None:  # pragma: no cover - uncompressed series are always contiguous
                msg = f"tifffile did not lay {target} out contiguously"
                raise OutputError(msg)
            return int(placed[0])

        self.file = RegionFile(target, target.suffix, create, shape, dtype)

    def write(self, window: Window, data: npt.NDArray[Any]) -> None:
        """Store ``data[C, *window sizes]`` at ``window``."""
        starts = (0, *(span.start for span in window))
        if self.order is None:
            self.file.write(starts[1:], data[0])
        else:
            self.file.write(tuple(starts[i] for i in self.order), data.transpose(self.order))

    def commit(self) -> None:
        """Close the file and move it to its final name."""
        self.file.commit()

    def abort(self) -> None:
        """Remove the temporary file."""
        self.file.abort()


def is_georeferenced(path: Path) -> bool:
    """Whether a TIFF carries GeoTIFF tags (then rasterio reads it, window by window)."""
    tifffile = require("tifffile", "microscopy", path)
    try:
        with tifffile.TiffFile(path) as tif:
            return bool(tif.is_geotiff)
    except Exception as error:  # tifffile reports bad files with many exception types
        msg = f"cannot read TIFF {path}: {type(error).__name__}: {error}"
        raise InputError(msg) from error
