"""In-memory sources and sinks: arrays, and whole-file formats written once complete.

PNG, JPEG, BMP, WebP and GIF cannot be written in parts: their sinks hold the whole output, so they
are created through :func:`check_in_memory`, which refuses an output over the layout's memory
limit before any work is done and names a format that streams.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.errors import OutputError

IN_MEMORY_COPIES = 3
"""Copies of an output a whole-file write holds at once: the array, its interleaved pixels and the
encoder's image."""

STREAMING_FORMAT = {"GIF": "MP4 (.mp4)"}
"""The streaming format to suggest instead of a whole-file one (default: TIFF)."""


def _size(count: float) -> str:
    for unit, factor in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= factor:
            return f"{count / factor:.1f} {unit}"
    return f"{int(count)} B"


def check_in_memory(target: Path, layout: OutputLayout, fmt: str) -> None:
    """Refuse a ``fmt`` output (written whole) that would not fit in ``layout.memory_limit``.

    Raises:
        OutputError: naming the output's size, the budget and where it comes from, and a format
            whose output streams.
    """
    limit = layout.memory_limit
    if limit is None:
        return
    pixels = int(np.prod(layout.shape)) * layout.dtype.itemsize
    needed = IN_MEMORY_COPIES * pixels
    if needed <= limit.bytes:
        return
    instead = STREAMING_FORMAT.get(fmt, "TIFF (.tif)")
    msg = (
        f"output {target}: {fmt} cannot be written in parts, so its {_size(pixels)} of pixels "
        f"would be held in memory (about {_size(needed)} while encoding), over the memory budget "
        f"of {_size(limit.bytes)} ({limit.reason}); convert the input to {instead}, whose output "
        "is written as it is computed, or raise --max-memory"
    )
    raise OutputError(msg)


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
