"""NumPy ``.npy`` arrays: read through a memory map, written window by window into one.

Layout: ``[C, *S]`` (channels first), or ``S`` alone for one band when the array has exactly the
model's number of spatial axes. For 2D models, ``[C, F, H, W]`` holds ``F`` frames (a video or a
stack of slices) super-resolved one by one. Outputs keep the input's layout and dtype.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.arrays import open_npy
from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.errors import InputError
from gan_engine.types import SpatialDims


class NpySource:
    """A memory-mapped ``.npy`` array seen as ``[C, *S]``, opened by the training reader's open_npy."""

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
