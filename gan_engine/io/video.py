"""Video files (animated GIF; MP4/MOV/AVI/MKV/WebM with an imageio backend) as ``[C, F, H, W]``.

Frames are decoded one at a time with imageio (the ``video`` extra) and the output is written in the
input's container with the same frame timing, frame by frame as each is complete (GIF, which Pillow
assembles whole, is written on commit and counts against the memory budget like photos). A 2D model
super-resolves frame by frame; a 3D model treats frames as depth, so it upscales time too and the
output has ``F · scale`` frames, played faster by the same factor so the clip keeps its length.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.errors import InputError
from gan_engine.io.memory import ArraySink, check_in_memory
from gan_engine.io.optional import require
from gan_engine.io.stream import FrameQueue

VIDEO_SUFFIXES: tuple[str, ...] = (".gif", ".mp4", ".mov", ".avi", ".mkv", ".webm")


def _timing(iio: Any, path: Path) -> dict[str, float]:
    """The frame rate (``fps``) or per-frame duration in ms (``duration``, GIF) of ``path``."""
    meta = iio.immeta(path)
    if meta.get("fps"):
        return {"fps": float(meta["fps"])}
    if meta.get("duration"):
        return {"duration": float(meta["duration"])}
    return {}


def open_video(path: Path) -> VideoSource:
    """Open ``path`` as a source ``[C, F, H, W]`` (uint8) decoded one frame at a time."""
    return VideoSource(path)


def _read_error(path: Path, error: Exception) -> InputError:
    reason = " ".join(str(error).split())[:240]
    msg = (
        f"cannot read video {path}: {type(error).__name__}: {reason} (movie formats need an "
        "imageio backend: pip install 'gan-engine[video]')"
    )
    return InputError(msg)


def _channels_first(frame: npt.NDArray[Any], path: Path) -> npt.NDArray[Any]:
    """A decoded frame ``[H, W(, C)]`` as ``[C, H, W]``."""
    frame = np.asarray(frame)
    if frame.ndim == 2:  # grayscale
        frame = frame[..., None]
    if frame.ndim != 3:
        msg = f"video {path}: expected frames [H, W, C], got shape {frame.shape}"
        raise InputError(msg)
    return np.ascontiguousarray(frame.transpose(2, 0, 1))


class VideoSource:
    """A video seen as ``[C, F, H, W]``, decoded frame by frame as windows ask for them.

    Opening counts the frames (one decoding pass, one frame in memory at a time, when the container
    does not say). Reads decode forward and keep only the frames from the window's first one on, so
    a 2D model holds one frame and a 3D model one tile's depth of frames; a window that starts
    before the kept frames decodes again from the start.
    """

    def __init__(self, path: Path) -> None:
        self.iio: Any = require("imageio.v3", "video", path)
        self.path = path
        try:
            frames = self.iio.improps(path, index=None).shape[0]
            first = _channels_first(self.iio.imread(path, index=0), path)
            if not math.isfinite(frames):  # movie containers: count by decoding
                frames = sum(1 for _ in self.iio.imiter(path))
            self.timing = _timing(self.iio, path)
        except InputError:
            raise
        except Exception as error:  # imageio and its plugins raise many exception types
            raise _read_error(path, error) from error
        self.shape: tuple[int, ...] = (first.shape[0], int(frames), *first.shape[1:])
        self.dtype: np.dtype[Any] = first.dtype
        self.nodata: float | None = None
        self._frames: Iterator[Any] | None = None
        self._next = 0
        self._kept: dict[int, npt.NDArray[Any]] = {}

    def _decode_to(self, index: int, keep_from: int) -> None:
        """Decode forward until frame ``index`` is kept (frames before ``keep_from`` are not)."""
        if index in self._kept:
            return
        frames = self._frames
        if index < self._next or frames is None:
            frames = self._restart()
        try:
            while self._next <= index:
                frame = next(frames)
                if self._next >= keep_from:
                    self._kept[self._next] = _channels_first(frame, self.path)
                self._next += 1
        except StopIteration:
            msg = f"video {self.path} ended after {self._next} frames; expected {self.shape[1]}"
            raise InputError(msg) from None
        except InputError:
            raise
        except Exception as error:  # imageio and its plugins raise many exception types
            raise _read_error(self.path, error) from error

    def _restart(self) -> Iterator[Any]:
        self.close()
        frames: Iterator[Any] = iter(self.iio.imiter(self.path))
        self._frames, self._next = frames, 0
        return frames

    def read(self, window: Window) -> npt.NDArray[Any]:
        """Values ``[C, frames, h, w]`` at ``window`` (frames, rows, columns)."""
        frames, *inside = window
        for index in [i for i in self._kept if i < frames.start]:
            del self._kept[index]
        for index in range(frames.start, frames.stop):
            self._decode_to(index, frames.start)
        return np.stack(
            [self._kept[i][(slice(None), *inside)] for i in range(frames.start, frames.stop)],
            axis=1,
        )

    def create_sink(self, target: Path, layout: OutputLayout) -> RasterSink:
        """An output in this video's container and timing, frame by frame (GIF: whole)."""
        speed = layout.shape[1] / self.shape[1]  # > 1 when a 3D model upscaled time
        timing = _faster(self.timing, speed)
        if target.suffix.lower() == ".gif":
            check_in_memory(target, layout, "GIF")
            return ArraySink(layout, lambda out: save_video(out, target, timing))
        return VideoSink(target, layout, timing)

    def close(self) -> None:
        """Close the decoder and drop the kept frames."""
        frames, self._frames = self._frames, None
        self._kept = {}
        close = getattr(frames, "close", None)
        if close is not None:
            close()


def _faster(timing: dict[str, float], speed: float) -> dict[str, float]:
    if "fps" in timing:
        return {"fps": timing["fps"] * speed}
    if "duration" in timing:
        return {"duration": timing["duration"] / speed}
    return {}


def save_video(array: npt.NDArray[Any], target: Path, timing: dict[str, float]) -> None:
    """Write ``[C, F, H, W]`` uint8 frames to ``target`` atomically, in the container its suffix names."""
    iio = require("imageio.v3", "video", target)
    frames = np.ascontiguousarray(array.transpose(1, 2, 3, 0))
    if frames.shape[-1] == 1:
        frames = frames[..., 0]
    temporary = temporary_beside(target, target.suffix)
    try:
        options: dict[str, Any] = dict(timing)
        if target.suffix.lower() == ".gif":
            options["loop"] = 0
        iio.imwrite(temporary, frames, extension=target.suffix.lower(), **options)
        publish(temporary, target)
    except BaseException:
        discard(temporary)
        raise


class VideoSink:
    """Writes a movie (MP4, MOV, AVI, MKV, WebM) frame by frame as each frame is complete.

    Frames go to imageio's ffmpeg writer with the settings a whole-clip write uses, so the file is
    the one :func:`save_video` would write; at most the frames of one row band are in memory.
    """

    def __init__(self, target: Path, layout: OutputLayout, timing: dict[str, float]) -> None:
        imageio = require("imageio.v2", "video", target)
        self.target = target
        self.temporary = temporary_beside(target, target.suffix)
        try:
            # the temporary file ends in the target's suffix, which picks the container
            self.writer: Any = imageio.get_writer(self.temporary, **timing)
        except BaseException:
            discard(self.temporary)
            raise
        self.frames = FrameQueue(layout.shape, layout.dtype, self._append)

    def _append(self, frame: npt.NDArray[Any]) -> None:
        pixels = np.ascontiguousarray(frame.transpose(1, 2, 0))
        self.writer.append_data(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)

    def write(self, window: Window, data: npt.NDArray[Any]) -> None:
        """Store ``data[C, *window sizes]``; complete frames go to the encoder at once."""
        self.frames.write(window, data)

    def commit(self) -> None:
        """Finish the encoder and move the file to its final name."""
        if not self.frames.complete:
            self.abort()
            msg = f"{self.target}: frames {self.frames.next} on were never written"
            raise RuntimeError(msg)
        self.writer.close()
        publish(self.temporary, self.target)

    def abort(self) -> None:
        """Stop the encoder and remove the temporary file."""
        try:
            with contextlib.suppress(Exception):  # the output is discarded either way
                self.writer.close()
        finally:
            discard(self.temporary)
