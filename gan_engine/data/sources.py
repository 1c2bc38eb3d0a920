"""Array sources: N-D arrays ``[C, *S]`` read window by window, whatever stores them.

A source is a NIfTI volume, a TIFF stack, a video or an array in memory. Every reader presents its
data as ``[C, D, H, W]`` (a 2D image is a stack of one); views cut a sub-box out of a source (a
train/val split) or one depth slice (a 2D frame). Reads return the stored dtype (uint8, int16,
float32, …) and only the window asked for, so a patch never needs the whole volume in memory.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from gan_engine.io.boxes import Box, NativeArray, check_box, full_box, size_text

__all__ = [
    "ArraySource",
    "Box",
    "FrameView",
    "MemorySource",
    "NativeArray",
    "RegionView",
    "check_box",
    "frames",
    "full_box",
    "load",
    "size_text",
]


class ArraySource(Protocol):
    """A readable ``[C, *S]`` array: a label for messages, its shape and dtype, windowed reads."""

    @property
    def label(self) -> str:
        """The file (and the part of it) this source reads, for messages."""
        ...

    @property
    def shape(self) -> tuple[int, ...]:
        """``(C, *S)``: channels, then the spatial sizes."""
        ...

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype reads return."""
        ...

    def read(self, box: Box) -> NativeArray:
        """The values ``[C, *sizes]`` inside ``box`` (one ``(start, stop)`` per spatial axis)."""
        ...


class MemorySource:
    """A source over an array ``[C, *S]`` already in memory (a decoded image, a cached volume)."""

    def __init__(self, array: NativeArray, label: str) -> None:
        if array.ndim < 2:
            msg = f"expected an array [C, *S], got shape {array.shape} for {label}"
            raise ValueError(msg)
        self.array = array
        self._label = label

    @property
    def label(self) -> str:
        """The origin of the array."""
        return self._label

    @property
    def shape(self) -> tuple[int, ...]:
        """``(C, *S)``."""
        return tuple(int(size) for size in self.array.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        """The array's dtype."""
        return self.array.dtype

    def read(self, box: Box) -> NativeArray:
        """A copy of the window ``[C, *sizes]``."""
        check_box(self, box)
        return np.array(self.array[(slice(None), *(slice(a, b) for a, b in box))])


def load(source: ArraySource) -> MemorySource:
    """Read a whole source into memory (for small data read many times)."""
    if isinstance(source, MemorySource):
        return source
    return MemorySource(source.read(full_box(source.shape)), source.label)


class RegionView:
    """The sub-box ``region`` of a source, e.g. the slices held out for validation."""

    def __init__(self, source: ArraySource, region: Box, what: str) -> None:
        check_box(source, region)
        self.source = source
        self.region = region
        self._label = f"{source.label} ({what})"

    @property
    def label(self) -> str:
        """The source's label and which part of it this is."""
        return self._label

    @property
    def shape(self) -> tuple[int, ...]:
        """``(C, *region sizes)``."""
        return (self.source.shape[0], *(stop - start for start, stop in self.region))

    @property
    def dtype(self) -> np.dtype[Any]:
        """The source's dtype."""
        return self.source.dtype

    def read(self, box: Box) -> NativeArray:
        """The window ``box``, relative to the region's corner."""
        check_box(self, box)
        shifted = tuple(
            (origin + start, origin + stop)
            for (origin, _), (start, stop) in zip(self.region, box, strict=True)
        )
        return self.source.read(shifted)


class FrameView:
    """Depth slice ``index`` of a ``[C, D, H, W]`` source as a 2D ``[C, H, W]`` source."""

    def __init__(self, source: ArraySource, index: int, what: str = "frame") -> None:
        if len(source.shape) != 4:
            msg = f"frames need a [C, D, H, W] source, {source.label} has shape {source.shape}"
            raise ValueError(msg)
        if not 0 <= index < source.shape[1]:
            msg = f"{what} {index} is out of range for {source.label} with {source.shape[1]}"
            raise ValueError(msg)
        self.source = source
        self.index = index
        self._label = f"{source.label} ({what} {index})"

    @property
    def label(self) -> str:
        """The source's label and the frame index."""
        return self._label

    @property
    def shape(self) -> tuple[int, ...]:
        """``(C, H, W)``."""
        channels, _, height, width = self.source.shape
        return (channels, height, width)

    @property
    def dtype(self) -> np.dtype[Any]:
        """The source's dtype."""
        return self.source.dtype

    def read(self, box: Box) -> NativeArray:
        """The window ``box`` (rows, columns) of the frame, ``[C, h, w]``."""
        check_box(self, box)
        return self.source.read(((self.index, self.index + 1), *box))[:, 0]


def frames(source: ArraySource, what: str = "frame") -> list[ArraySource]:
    """Every depth slice of a ``[C, D, H, W]`` source as a 2D source, in order."""
    return [FrameView(source, index, what) for index in range(source.shape[1])]
