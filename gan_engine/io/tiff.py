"""TIFF images and stacks through tifffile (the ``microscopy`` extra), microscopy in 2D or 3D.

Axes: the first image series is read; its axes (tifffile's letters: ``Z``, ``C``, ``Y``, ``X``, ``S``
for samples, ``I``/``Q``/``T`` for pages, …) map to ``[C, D, H, W]``: ``C`` or ``S`` are channels,
``Y``/``X`` are ``H``/``W``, and one other axis longer than 1 (``Z``, pages, time) is the depth ``D``
of a volume or the frames of a stack. Axes of size 1 are dropped. The same mapping holds for training
and prediction; values keep the file's dtype (uint8, uint16, int16, float32, …).

Training (:class:`TiffStackSource`) always presents ``[C, D, H, W]`` (a single image is a stack of
depth 1) and refuses a series with two depth axes (e.g. ``TZCYX`` with several times and slices).
Uncompressed, contiguous data are memory-mapped (``tifffile.memmap``), so windows read only their
voxels; other files (compressed, scattered pages) are decoded whole on the first read and kept, once
per process.

Prediction (:func:`open_tiff`) reads TIFFs that are not georeferenced whole, as ``[C, H, W]`` or
``[C, D, H, W]``. The output keeps the file's axis order, the photometric interpretation and the
dtype; it is written window by window into its place in an uncompressed file (:class:`TiffSink`,
BigTIFF beyond 4 GiB), never held whole. Georeferenced TIFFs go through :mod:`gan_engine.io.geotiff`
instead.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.boxes import Box, FileSource, NativeArray, check_box, full_box
from gan_engine.io.errors import InputError, OutputError
from gan_engine.io.memory import ArraySource
from gan_engine.io.optional import missing_extra, require
from gan_engine.io.stream import RegionFile

TIFF_EXTENSIONS: tuple[str, ...] = ("tif", "tiff")
_CHANNEL_AXES = frozenset("CS")
_SUPPORTED_KINDS = frozenset("uif")


def _unreadable(path: Path, error: Exception) -> InputError:
    return InputError(f"cannot read TIFF file {path}: {type(error).__name__}: {error}")


def _layout(path: Path, axes: str, shape: tuple[int, ...]) -> tuple[str, str, str]:
    """The axes that are kept: the channel axis, the depth axis ('' when absent) and all kept."""
    kept = "".join(axis for axis, size in zip(axes, shape, strict=True) if size > 1 or axis in "YX")
    if "Y" not in kept or "X" not in kept:
        msg = f"TIFF file {path} has axes {axes!r} without both Y and X"
        raise InputError(msg)
    channel = [axis for axis in kept if axis in _CHANNEL_AXES]
    depth = [axis for axis in kept if axis not in _CHANNEL_AXES and axis not in "YX"]
    if len(channel) > 1 or len(depth) > 1:
        msg = (
            f"TIFF file {path} has axes {axes!r} with shape {shape}: expected at most one "
            "channel axis (C or S) and one depth axis (Z, pages or time) besides Y and X"
        )
        raise InputError(msg)
    return "".join(channel), "".join(depth), kept


class TiffStackSource(FileSource):
    """The first series of a TIFF file as ``[C, D, H, W]``.

    Attributes:
        photometric: ``"rgb"`` when the first page is stored as RGB, else ``None``.

    Raises:
        MissingExtraError: tifffile is not installed.
        InputError: the file cannot be read, has an unsupported dtype or axes; names the file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            import tifffile
        except ImportError as error:
            raise missing_extra(error, feature="TIFF stack support", extra="microscopy") from error
        try:
            with tifffile.TiffFile(self.path) as tif:
                series = tif.series[0]
                self.axes = str(series.axes)
                self.file_shape = tuple(int(size) for size in series.shape)
                dtype = np.dtype(series.dtype)
                offset = series.dataoffset
                rgb = series.keyframe.photometric == tifffile.PHOTOMETRIC.RGB
                self.photometric: str | None = "rgb" if rgb else None
                self.memory_mappable = offset is not None
                if not self.memory_mappable:
                    # Decoding the first and last page finds corrupt data now, not in a worker.
                    tif.pages[0].asarray()
                    tif.pages[len(tif.pages) - 1].asarray()
        except Exception as error:  # tifffile reports bad files with many exception types
            raise _unreadable(self.path, error) from error
        if dtype.kind not in _SUPPORTED_KINDS:
            msg = f"TIFF file {self.path} has {dtype} pixels; expected integer or float values"
            raise InputError(msg)
        self._dtype = dtype
        self.channel_axis, self.depth_axis, self._kept = _layout(
            self.path, self.axes, self.file_shape
        )
        sizes = dict(zip(self.axes, self.file_shape, strict=True))
        self._shape = (
            sizes[self.channel_axis] if self.channel_axis else 1,
            sizes[self.depth_axis] if self.depth_axis else 1,
            sizes["Y"],
            sizes["X"],
        )
        self._array: NativeArray | None = None
        if offset is not None:
            end = offset + int(np.prod(self.file_shape)) * dtype.itemsize
            if self.path.stat().st_size < end:
                msg = f"TIFF file {self.path} is truncated: its data end at byte {end}"
                raise InputError(msg)

    def __getstate__(self) -> dict[str, Any]:
        # A memory map must not be pickled (it would be copied whole): reopen it in each worker.
        state = self.__dict__.copy()
        if self.memory_mappable:
            state["_array"] = None
        return state

    @property
    def kept_axes(self) -> str:
        """The file's axes that are read (size > 1, or ``Y``/``X``), in the file's order."""
        return self._kept

    def _data(self) -> NativeArray:
        if self._array is None:
            import tifffile

            try:
                if self.memory_mappable:
                    self._array = tifffile.memmap(self.path, mode="r")
                else:
                    self._array = np.asarray(tifffile.imread(self.path))
            except Exception as error:  # tifffile reports bad files with many exception types
                raise _unreadable(self.path, error) from error
        return self._array

    def read(self, box: Box) -> NativeArray:
        """The window ``[C, d, h, w]`` of ``box`` = ``((d0, d1), (h0, h1), (w0, w1))``."""
        check_box(self, box)
        (d0, d1), (h0, h1), (w0, w1) = box
        wanted = {"Y": slice(h0, h1), "X": slice(w0, w1), self.depth_axis: slice(d0, d1)}
        index = tuple(
            wanted.get(axis, slice(None)) if axis in self._kept else 0 for axis in self.axes
        )
        window = np.asarray(self._data()[index])
        order = [self.channel_axis, self.depth_axis, "Y", "X"]
        present = [axis for axis in order if axis]
        window = window.transpose([self._kept.index(axis) for axis in present])
        if not self.channel_axis:
            window = window[None]
        if not self.depth_axis:
            window = window[:, None]
        return np.array(window, dtype=self._dtype)


def open_tiff(path: Path) -> ArraySource:
    """Read the first series of ``path`` into an in-memory source ``[C, H, W]`` or ``[C, D, H, W]``.

    The values are those of the training reader :class:`TiffStackSource`, without its depth axis when
    the file has none; the output is written back in the file's own axis order.
    """
    reader = TiffStackSource(path)
    array = reader.read(full_box(reader.shape))  # [C, D, H, W]
    channels_first = array if reader.depth_axis else array[:, 0]
    present = "".join(axis for axis in (reader.channel_axis, reader.depth_axis, "Y", "X") if axis)
    kept_axes = reader.kept_axes
    inverse = [present.index(axis) for axis in kept_axes]
    photometric = reader.photometric

    def create(target: Path, layout: OutputLayout) -> RasterSink:
        return TiffSink(
            target, layout, kept_axes, photometric, inverse if reader.channel_axis else None
        )

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
