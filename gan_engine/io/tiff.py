"""TIFF images and stacks that are not georeferenced, through tifffile: read whole, written whole.

The first image series is read; its axes (tifffile's letters) map to ``[C, *S]``: ``S`` (samples) or
``C`` is the band axis, ``Y`` and ``X`` the image, and at most one more axis longer than 1 (``Z``,
``T``, ``Q``, ``I``, …) the depth of a volume or the frames of a stack. The output keeps the axis
order, the photometric interpretation and the dtype. Georeferenced TIFFs go through
:mod:`gan_engine.io.geotiff` instead, which streams.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink
from gan_engine.io.errors import InputError
from gan_engine.io.memory import ArraySink, ArraySource
from gan_engine.io.optional import require

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
        def save(result: npt.NDArray[Any]) -> None:
            data = result.transpose(inverse) if inverse is not None else result[0]
            save_tiff(data, target, kept_axes, photometric)

        return ArraySink(layout, save)

    return ArraySource(np.ascontiguousarray(channels_first), path, None, create)


def save_tiff(data: npt.NDArray[Any], target: Path, axes: str, photometric: str | None) -> None:
    """Write ``data`` (axes ``axes``) to ``target`` atomically."""
    tifffile = require("tifffile", "microscopy", target)
    temporary = temporary_beside(target, target.suffix)
    try:
        tifffile.imwrite(
            temporary,
            data,
            photometric=photometric or "minisblack",
            metadata={"axes": axes},
        )
        publish(temporary, target)
    except BaseException:
        discard(temporary)
        raise


def is_georeferenced(path: Path) -> bool:
    """Whether a TIFF carries GeoTIFF tags (then rasterio reads it, window by window)."""
    tifffile = require("tifffile", "microscopy", path)
    try:
        with tifffile.TiffFile(path) as tif:
            return bool(tif.is_geotiff)
    except Exception as error:  # tifffile reports bad files with many exception types
        msg = f"cannot read TIFF {path}: {type(error).__name__}: {error}"
        raise InputError(msg) from error
