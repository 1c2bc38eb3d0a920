"""Writing outputs piece by piece, so no output is ever held whole in memory.

Two building blocks for the format sinks:

* :class:`RegionFile` — formats whose pixels lie uncompressed on disk as one C-ordered array after a
  header (plain TIFF and BigTIFF, NIfTI): every window goes straight to its place in a temporary
  file, in as few contiguous writes as the window allows (one per row band of an interleaved image).
* :class:`FrameQueue` — formats written frame after frame (video): windows are collected until the
  next frame is complete, which is then handed on and dropped, so at most the frames a row band
  touches are in memory.

Both expect every output pixel once (what :class:`~gan_engine.inference.tiler.Tiler` guarantees);
the tiler writes in row bands along the first axis, so frames complete in order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import Window


def write_block(
    file: BinaryIO,
    offset: int,
    shape: tuple[int, ...],
    start: tuple[int, ...],
    block: npt.NDArray[Any],
) -> None:
    """Write ``block`` at ``start`` into the C-ordered array of ``shape`` stored at ``offset``.

    ``block`` is written in its own dtype (the caller gives the file's, byte order included). Axes
    after the last one the block does not span whole are contiguous on disk, so the block goes out
    in ``prod(block.shape[:j])`` writes, ``j`` being that axis.

    Raises:
        ValueError: the block does not fit inside the array.
    """
    if len(start) != len(shape) or block.ndim != len(shape):
        msg = f"a block {block.shape} at {start} does not match an array of {len(shape)} axes"
        raise ValueError(msg)
    if any(s < 0 or s + n > m for s, n, m in zip(start, block.shape, shape, strict=True)):
        msg = f"a block {block.shape} at {start} does not fit in an array of shape {shape}"
        raise ValueError(msg)
    if block.size == 0:
        return
    block = np.ascontiguousarray(block)
    itemsize = block.dtype.itemsize
    strides = [math.prod(shape[axis + 1 :]) for axis in range(len(shape))]
    split = len(shape) - 1
    while split > 0 and block.shape[split] == shape[split]:
        split -= 1
    # axes after `split` are whole: every block[index] over the axes before it is one run on disk
    base = sum(s * stride for s, stride in zip(start, strides, strict=True))
    for index in np.ndindex(*block.shape[:split]):
        position = base + sum(i * stride for i, stride in zip(index, strides, strict=False))
        file.seek(offset + position * itemsize)
        file.write(block[index].reshape(-1).view(np.uint8).data)


class RegionFile:
    """A temporary file holding an array at a known offset, written window by window.

    Args:
        target: the final name.
        suffix: the temporary file's suffix (its format's).
        create: writes the header (and reserves the data) into the open temporary file; returns
            the data's byte offset.
        shape: the array on disk, C-ordered.
        dtype: its dtype on disk, byte order included.
    """

    def __init__(
        self,
        target: Path,
        suffix: str,
        create: Callable[[Path], int],
        shape: tuple[int, ...],
        dtype: np.dtype[Any],
    ) -> None:
        self.target = target
        self.shape = shape
        self.dtype = dtype
        self.temporary = temporary_beside(target, suffix)
        self._file: BinaryIO | None = None
        try:
            self.offset = create(self.temporary)
            size = self.offset + math.prod(shape) * dtype.itemsize
            self._file = self.temporary.open("r+b")
            if self._file.seek(0, 2) < size:
                self._file.truncate(size)  # sparse until written
        except BaseException:
            self.abort()
            raise

    def write(self, start: tuple[int, ...], block: npt.NDArray[Any]) -> None:
        """Store ``block`` (axes of the array on disk) at ``start``."""
        if self._file is None:
            msg = f"{self.target}: write after commit or abort"
            raise RuntimeError(msg)
        write_block(
            self._file, self.offset, self.shape, start, block.astype(self.dtype, copy=False)
        )

    def close(self) -> Path:
        """Flush and close the temporary file; returns its path (not yet published)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        return self.temporary

    def commit(self) -> None:
        """Close the file and move it to its final name."""
        publish(self.close(), self.target)

    def abort(self) -> None:
        """Close and remove the temporary file."""
        try:
            self.close()
        finally:
            discard(self.temporary)


class FrameQueue:
    """Collects windows of ``[C, F, *frame]`` output and hands on each frame once complete, in order.

    Args:
        shape: ``[C, F, *frame]``.
        dtype: the frames' dtype.
        emit: receives ``[C, *frame]`` of frames ``0, 1, …`` in order.
    """

    def __init__(
        self,
        shape: tuple[int, ...],
        dtype: np.dtype[Any],
        emit: Callable[[npt.NDArray[Any]], None],
    ) -> None:
        self.channels, self.frames, *frame = shape
        self.frame_shape = tuple(frame)
        self.frame_pixels = math.prod(frame)
        self.dtype = dtype
        self.emit = emit
        self.next = 0
        self.pending: dict[int, tuple[npt.NDArray[Any], int]] = {}

    def write(self, window: Window, data: npt.NDArray[Any]) -> None:
        """Store ``data[C, *window sizes]`` at ``window`` (frames, then the frame's axes)."""
        frames, *inside = window
        pixels = math.prod(span.stop - span.start for span in inside)
        for offset, frame in enumerate(range(frames.start, frames.stop)):
            if frame < self.next:
                msg = f"frame {frame} was written already (windows must not overlap)"
                raise ValueError(msg)
            buffer, written = self.pending.get(frame) or (
                np.zeros((self.channels, *self.frame_shape), dtype=self.dtype),
                0,
            )
            buffer[(slice(None), *inside)] = data[:, offset]
            self.pending[frame] = (buffer, written + pixels)
        while (ready := self.pending.get(self.next)) is not None and ready[1] >= self.frame_pixels:
            del self.pending[self.next]
            self.emit(ready[0])
            self.next += 1

    @property
    def complete(self) -> bool:
        """Whether every frame was handed on."""
        return self.next == self.frames and not self.pending
