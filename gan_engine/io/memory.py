"""In-memory sources and sinks: arrays, and whole-file formats written once complete."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.base import OutputLayout, RasterSink, Window


class ArraySink:
    """Collects the output in memory and hands the whole array to ``save`` on commit.

    Formats that cannot be written window by window (PNG, JPEG, TIFF stacks, NIfTI) use it; their
    ``save`` writes a temporary file and renames it, so commit stays atomic.
    """

    def __init__(self, layout: OutputLayout, save: Callable[[npt.NDArray[Any]], None]) -> None:
        self.layout = layout
        self.array: npt.NDArray[Any] = np.zeros(layout.shape, dtype=layout.dtype)
        self._save = save

    def write(self, window: Window, data: npt.NDArray[Any]) -> None:
        """Store ``data[C, *window sizes]``."""
        self.array[(slice(None), *window)] = data

    def commit(self) -> None:
        """Save the whole array."""
        self._save(self.array)

    def abort(self) -> None:
        """Drop the array; nothing was written to disk."""
        self.array = np.zeros((0,), dtype=self.layout.dtype)


class ArraySource:
    """An array ``[C, *S]`` already in memory, as a source.

    Args:
        array: the values, in sensor units.
        path: a name for messages.
        nodata: the value marking invalid pixels, if any.
        create: builds the sink for an output (defaults to an in-memory :class:`ArraySink`).
    """

    def __init__(
        self,
        array: npt.NDArray[Any],
        path: Path | None = None,
        nodata: float | None = None,
        create: Callable[[Path, OutputLayout], RasterSink] | None = None,
    ) -> None:
        self.array = array
        self.path = path or Path("<array>")
        self.shape: tuple[int, ...] = tuple(array.shape)
        self.dtype: np.dtype[Any] = array.dtype
        self.nodata = nodata
        self._create = create

    def read(self, window: Window) -> npt.NDArray[Any]:
        """Values ``[C, *window sizes]``."""
        return np.asarray(self.array[(slice(None), *window)])

    def create_sink(self, target: Path, layout: OutputLayout) -> RasterSink:
        """The sink given at construction, or an in-memory one."""
        if self._create is not None:
            return self._create(target, layout)
        return ArraySink(layout, lambda _array: None)

    def close(self) -> None:
        """Nothing to release."""
