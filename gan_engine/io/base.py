"""What inference reads from and writes to: windowed raster sources and sinks in ``[C, *S]`` layout.

``S`` holds the spatial axes the model works on — ``(H, W)`` for 2D models, ``(D, H, W)`` for 3D
ones — plus, for 2D models, an optional leading frame axis (videos, slice stacks) that is not
upsampled. Windows are tuples of slices over ``S``; arrays carry the source's own dtype.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

Window: TypeAlias = tuple[slice, ...]
"""Per axis of ``S``, a range of pixels."""


@attrs.frozen
class MemoryLimit:
    """How many bytes an output that cannot be written in parts may hold in memory, and why.

    Attributes:
        bytes: the budget.
        reason: where it comes from, for messages (``--max-memory``, a share of the RAM).
    """

    bytes: int
    reason: str


@attrs.frozen(kw_only=True)
class OutputLayout:
    """The output a source's sink must hold.

    Attributes:
        shape: ``[C_out, *S_out]``.
        dtype: values' dtype on disk.
        nodata: the value marking invalid pixels (NaN allowed), or ``None``.
        scale: upsampling factor of the scaled axes.
        scaled: per axis of ``S``, whether it is upsampled (frame axes are not).
        memory_limit: the budget of sinks that hold the output whole (PNG, JPEG, GIF), checked
            when they are created; ``None``: no limit. Streaming sinks ignore it.
    """

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    nodata: float | None
    scale: int
    scaled: tuple[bool, ...]
    memory_limit: MemoryLimit | None = None


class RasterSink(Protocol):
    """Receives an output window by window; nothing appears under the final name before ``commit``."""

    def write(self, window: Window, data: npt.NDArray[Any]) -> None:
        """Store ``data[C_out, *window sizes]`` (in the layout's dtype) at ``window``."""
        ...

    def commit(self) -> None:
        """Finish the file and move it to its final name (atomically)."""
        ...

    def abort(self) -> None:
        """Discard everything written so far."""
        ...


class RasterSource(Protocol):
    """An input read window by window.

    Attributes:
        path: the file.
        shape: ``[C, *S]``.
        dtype: values' dtype.
        nodata: the value marking invalid pixels, or ``None`` (NaN is always invalid).
    """

    path: Path
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    nodata: float | None

    def read(self, window: Window) -> npt.NDArray[Any]:
        """Values ``[C, *window sizes]`` at ``window``."""
        ...

    def create_sink(self, target: Path, layout: OutputLayout) -> RasterSink:
        """A sink writing ``target`` in this source's format, carrying its metadata over."""
        ...

    def close(self) -> None:
        """Release the file."""
        ...
