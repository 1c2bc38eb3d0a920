"""NumPy arrays: ``.npy`` files read through a memory map, ``.npz`` archives holding one array (training).

Axes, the same for training and prediction: ``[C, *S]`` (channels first), or ``S`` alone for one band.
Training reads rasters ``[C, H, W]`` or ``[H, W]``; prediction also reads volumes (``[C, D, H, W]``,
``[D, H, W]``) for 3D models and, for 2D models, ``[C, F, H, W]`` holding ``F`` frames (a video or a
stack of slices) super-resolved one by one. Values are any integer or float dtype, kept as stored.

A ``.npy`` file is opened with ``np.load(mmap_mode="r")`` (:func:`open_npy`) and sliced, so a read
touches only the pages of the window, whatever the file's size. Members of an ``.npz`` archive cannot
be memory-mapped (they are zip entries): each read decompresses the whole member, so use ``.npy`` for
scenes larger than memory. Training headers are read from the ``.npy`` header alone, never the data.
Arrays carry no nodata value or georeferencing: NaNs are nodata, and a dataset may name a nodata value
for all its files. Prediction outputs (:class:`NpySink`) are written window by window into a
memory-mapped ``.npy`` of the input's layout and dtype.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.errors import InputError
from gan_engine.io.raster_header import NativeArray, PixelWindow, RasterHeader
from gan_engine.types import SpatialDims

ARRAY_EXTENSIONS: tuple[str, ...] = ("npy", "npz")


def _unreadable(path: Path, error: Exception) -> InputError:
    msg = f"cannot read array file {path}: {type(error).__name__}: {error}"
    return InputError(msg)


def _header_from(path: Path, shape: tuple[int, ...], dtype: np.dtype[Any]) -> RasterHeader:
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3 or min(shape) < 1:
        msg = f"array file {path} holds shape {shape}; raster arrays are [C, H, W] or [H, W]"
        raise InputError(msg)
    if not (np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)):
        msg = f"array file {path} holds {dtype} values; raster arrays hold integers or floats"
        raise InputError(msg)
    bands, height, width = shape
    return RasterHeader(path=path, bands=bands, height=height, width=width, dtype=dtype.name)


def _npz_member(path: Path, archive: zipfile.ZipFile) -> str:
    members = [name for name in archive.namelist() if name.endswith(".npy")]
    if len(members) != 1:
        names = [name.removesuffix(".npy") for name in members]
        msg = f"array file {path} holds {len(members)} arrays {names}; raster datasets read one"
        raise InputError(msg)
    return members[0]


def _read_npy_header(stream: Any) -> tuple[tuple[int, ...], np.dtype[Any]]:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, _fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    return tuple(int(n) for n in shape), np.dtype(dtype)


def probe_array(path: str | Path) -> RasterHeader:
    """Read the shape and dtype of a ``.npy`` or single-array ``.npz`` file (no pixels).

    Raises:
        InputError: the file is missing, corrupt, not an array file, or holds an unusable array.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".npz":
            with zipfile.ZipFile(path) as archive:
                member = _npz_member(path, archive)
                with archive.open(member) as stream:
                    shape, dtype = _read_npy_header(stream)
        else:
            with path.open("rb") as stream:
                shape, dtype = _read_npy_header(stream)
    except InputError:
        raise
    except Exception as error:  # numpy and zipfile report bad files with several types
        raise _unreadable(path, error) from error
    return _header_from(path, shape, dtype)


def open_npy(path: Path) -> np.memmap[Any, Any] | NativeArray:
    """A ``.npy`` file's array through a read-only memory map (no pixels read yet).

    Raises:
        InputError: the file is missing, corrupt or not a ``.npy`` array (object arrays included).
    """
    try:
        array: np.memmap[Any, Any] | NativeArray = np.load(path, mmap_mode="r", allow_pickle=False)
    except Exception as error:  # numpy reports bad files with several exception types
        raise _unreadable(path, error) from error
    return array


def read_array_window(header: RasterHeader, window: PixelWindow) -> NativeArray:
    """Read ``window`` of every band: ``[C, height, width]`` in the stored dtype (a copy).

    Raises:
        InputError: the file cannot be read any more (changed or corrupt since it was probed).
    """
    header.check_window(window)
    path = header.path
    rows = slice(window.top, window.top + window.height)
    cols = slice(window.left, window.left + window.width)
    try:
        if path.suffix.lower() == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                data = archive[next(iter(archive.files))]
        else:
            data = open_npy(path)
        if data.ndim == 2:
            data = data[None]
        array = np.array(data[:, rows, cols], copy=True)
    except InputError:
        raise
    except Exception as error:  # numpy reports bad files with several exception types
        raise _unreadable(path, error) from error
    expected = (header.bands, window.height, window.width)
    if array.shape != expected or array.dtype.name != header.dtype:
        msg = (
            f"array file {path} changed since it was probed: read {array.shape} {array.dtype}, "
            f"expected {expected} {header.dtype}"
        )
        raise InputError(msg)
    return array


class NpySource:
    """A memory-mapped ``.npy`` array seen as ``[C, *S]``, opened by :func:`open_npy`."""

    def __init__(self, path: Path, spatial_dims: SpatialDims) -> None:
        array = open_npy(path)
        self.path = path
        self.squeezed = array.ndim == spatial_dims
        allowed = {spatial_dims, spatial_dims + 1} | ({4} if spatial_dims == 2 else set())
        if array.ndim not in allowed:
            layouts = (
                "[H, W], [C, H, W] or [C, F, H, W]"
                if spatial_dims == 2
                else "[D, H, W] or [C, D, H, W]"
            )
            msg = (
                f"{path} holds an array of shape {array.shape}; a {spatial_dims}D model reads "
                f"{layouts} arrays"
            )
            raise InputError(msg)
        self.array: npt.NDArray[Any] = array[None] if self.squeezed else array
        self.shape: tuple[int, ...] = tuple(self.array.shape)
        self.dtype: np.dtype[Any] = array.dtype
        self.nodata: float | None = None

    def read(self, window: Window) -> npt.NDArray[Any]:
        """Values ``[C, *window sizes]`` (copied out of the memory map)."""
        return np.array(self.array[(slice(None), *window)])

    def create_sink(self, target: Path, layout: OutputLayout) -> RasterSink:
        """A memory-mapped ``.npy`` output in the same layout."""
        return NpySink(target, layout, squeezed=self.squeezed)

    def close(self) -> None:
        """Drop the memory map."""
        self.array = np.zeros((0,), dtype=self.dtype)


class NpySink:
    """Writes a ``.npy`` file through a memory map of a temporary file, renamed on commit."""

    def __init__(self, target: Path, layout: OutputLayout, *, squeezed: bool) -> None:
        self.target = target
        self.squeezed = squeezed
        self.temporary = temporary_beside(target, ".npy")
        shape = layout.shape[1:] if squeezed else layout.shape
        try:
            self.array: np.memmap[Any, Any] | None = np.lib.format.open_memmap(
                self.temporary, mode="w+", dtype=layout.dtype, shape=shape
            )
        except BaseException:
            discard(self.temporary)
            raise

    def write(self, window: Window, data: npt.NDArray[Any]) -> None:
        """Store ``data[C, *window sizes]``."""
        if self.array is None:
            msg = f"{self.target}: write after commit or abort"
            raise RuntimeError(msg)
        if self.squeezed:
            self.array[window] = data[0]
        else:
            self.array[(slice(None), *window)] = data

    def commit(self) -> None:
        """Flush and move the file to its final name."""
        if self.array is not None:
            self.array.flush()
            self.array = None
        publish(self.temporary, self.target)

    def abort(self) -> None:
        """Remove the temporary file."""
        self.array = None
        discard(self.temporary)
