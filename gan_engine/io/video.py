"""Video files through imageio (the ``video`` extra): animated GIF; MP4/MOV/AVI/MKV/WebM with a backend.

Axes: a video is ``[C, T, H, W]`` = (colour channels, frames, rows, columns) for training and
prediction alike: frames are the depth axis. A 2D model takes frames one by one; a 3D model sees
``[T, H, W]`` and super-resolves time as well as space (our generators upscale every spatial axis).
Values keep the file's dtype (uint8 for GIF and common MP4). GIF decoding goes through Pillow, which
is always installed; MP4/MOV/AVI need an imageio backend (``pip install imageio-ffmpeg`` or ``av``),
and a file nobody can decode raises an error saying so.

Training (:class:`VideoSource`) decodes frames on demand, or all at once and kept when ``cache`` is
set (much faster for GIFs and long-GOP videos, whose random access decodes from an earlier frame), in
the colour a dataset asks for (``rgb`` or ``gray``); see :func:`gan_engine.data.sources.frames` for
2D models.

Prediction (:class:`VideoInput`, :func:`open_video`) probes the file with the training reader and
converts frames with it (the file's own channels), decoding forward one frame at a time as windows
ask for them. The output is written in the input's container with the same frame timing, frame by
frame as each is complete (GIF, which Pillow assembles whole, is written on commit and counts against
the memory budget like photos); when a 3D model upscales time the output has ``T · scale`` frames,
played faster by the same factor so the clip keeps its length.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.boxes import Box, FileSource, NativeArray, check_box
from gan_engine.io.errors import InputError
from gan_engine.io.memory import ArraySink, check_in_memory
from gan_engine.io.optional import missing_extra, require
from gan_engine.io.stream import FrameQueue

VIDEO_SUFFIXES: tuple[str, ...] = (".gif", ".mp4", ".mov", ".avi", ".mkv", ".webm")


VideoColor: TypeAlias = Literal["rgb", "gray"]
VIDEO_COLORS: tuple[VideoColor, ...] = ("rgb", "gray")
VIDEO_CHANNELS: dict[VideoColor, int] = {"rgb": 3, "gray": 1}
VIDEO_EXTENSIONS: tuple[str, ...] = ("gif", "mp4", "mov", "avi", "mkv", "webm")
_LUMA = np.array([299, 587, 114], dtype=np.uint32)  # ITU-R 601-2, as Pillow's convert("L")


_REASON_LIMIT = 240


def _movie_backend_installed() -> bool:
    return any(importlib.util.find_spec(name) is not None for name in ("imageio_ffmpeg", "av"))


def _unreadable(path: Path, error: Exception) -> InputError:
    hint = ""
    if path.suffix.lower() != ".gif" and not _movie_backend_installed():
        hint = "; movie formats need an imageio backend: pip install imageio-ffmpeg (or av)"
    reason = " ".join(str(error).split())  # imageio's messages span several lines
    if len(reason) > _REASON_LIMIT:  # ffmpeg appends its whole build banner
        reason = reason[:_REASON_LIMIT] + " …"
    return InputError(f"cannot read video {path}: {type(error).__name__}: {reason}{hint}")


def _frame_count(iio: Any, path: Path, is_batch: bool, reported: float | None) -> int:
    """Frames in the file; counted by decoding when the container does not say (MP4 via ffmpeg)."""
    if not is_batch:
        return 1
    if reported is not None and math.isfinite(reported) and reported > 0:
        return int(reported)
    return sum(1 for _ in iio.imiter(path))


def _convert(frame: NativeArray, color: VideoColor | None, path: Path) -> NativeArray:
    """One decoded frame ``[H, W]``/``[H, W, 3|4]`` as ``[C, H, W]`` in ``color``.

    ``color=None`` keeps the frame's own channels (gray: 1, RGB: 3, RGBA: 4).
    """
    if color is None and frame.ndim == 3 and frame.shape[2] in (1, 3, 4):
        return np.ascontiguousarray(frame.transpose(2, 0, 1))
    if color is None and frame.ndim == 2:
        return np.ascontiguousarray(frame[None])
    if frame.ndim == 3 and frame.shape[2] in (3, 4):
        rgb = frame[..., :3]  # alpha is dropped: training data are opaque
    elif frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        gray = frame.reshape(frame.shape[:2])
        rgb = np.repeat(gray[..., None], 3, axis=2) if color == "rgb" else gray[..., None]
        return np.ascontiguousarray(rgb.transpose(2, 0, 1))
    else:
        msg = f"video {path} has frames of shape {frame.shape}; expected gray, RGB or RGBA"
        raise InputError(msg)
    if color == "gray":
        weighted = (rgb.astype(np.uint64) * _LUMA).sum(axis=2) + 500
        rgb = (weighted // 1000).astype(frame.dtype)[..., None]
    return np.ascontiguousarray(rgb.transpose(2, 0, 1))


class VideoSource(FileSource):
    """A video as ``[C, T, H, W]``: channels from ``color``, frames as the depth axis.

    Args:
        path: the video file.
        color: ``"rgb"`` (3 channels; gray videos repeated) or ``"gray"`` (1 channel, luma);
            ``None`` keeps the file's own channels (gray: 1, RGB: 3, RGBA: 4), as prediction does.
        cache: decode every frame on the first read and keep them (per process).

    Raises:
        MissingExtraError: imageio is not installed.
        InputError: the file cannot be decoded (no backend, corrupt), names the file.
    """

    def __init__(
        self, path: str | Path, color: VideoColor | None = "rgb", *, cache: bool = False
    ) -> None:
        self.path = Path(path)
        self.color = color
        self.cache = cache
        try:
            import imageio.v3 as iio
        except ImportError as error:
            raise missing_extra(error, feature="Video support", extra="video") from error
        try:
            props = iio.improps(self.path)
            count = _frame_count(iio, self.path, props.is_batch, props.n_images)
            # Decoding the first and the last frame finds unreadable data now, not in a worker.
            first = _convert(np.asarray(iio.imread(self.path, index=0)), color, self.path)
            _convert(np.asarray(iio.imread(self.path, index=count - 1)), color, self.path)
        except InputError:
            raise
        except Exception as error:  # imageio and its plugins raise many exception types
            raise _unreadable(self.path, error) from error
        self._shape = (first.shape[0], count, first.shape[1], first.shape[2])
        self._dtype = first.dtype
        self._frames: NativeArray | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_frames"] = None  # each worker decodes its own copy
        return state

    def frame_array(self, frame: Any, index: int) -> NativeArray:
        """Decoded frame ``index`` as ``[C, H, W]`` in this source's colour, checked against frame 0."""
        return self._checked(_convert(np.asarray(frame), self.color, self.path), index)

    def _frame(self, index: int) -> NativeArray:
        import imageio.v3 as iio

        try:
            frame = np.asarray(iio.imread(self.path, index=index))
        except Exception as error:  # imageio and its plugins raise many exception types
            raise _unreadable(self.path, error) from error
        return self._checked(_convert(frame, self.color, self.path), index)

    def _checked(self, frame: NativeArray, index: int) -> NativeArray:
        expected = (self._shape[0], *self._shape[2:])
        if frame.shape != expected:
            msg = f"video {self.path}: frame {index} has shape {frame.shape}, frame 0 {expected}"
            raise InputError(msg)
        return frame

    def _decode_all(self) -> NativeArray:
        import imageio.v3 as iio

        try:
            decoded = [
                self._checked(_convert(np.asarray(frame), self.color, self.path), index)
                for index, frame in enumerate(iio.imiter(self.path))
            ]
        except InputError:
            raise
        except Exception as error:  # imageio and its plugins raise many exception types
            raise _unreadable(self.path, error) from error
        if len(decoded) != self._shape[1]:
            msg = f"video {self.path} decoded {len(decoded)} frames, {self._shape[1]} expected"
            raise InputError(msg)
        return np.stack(decoded, axis=1)

    def read(self, box: Box) -> NativeArray:
        """The window ``[C, t, h, w]`` of ``box`` = ``((t0, t1), (h0, h1), (w0, w1))``."""
        check_box(self, box)
        (t0, t1), (h0, h1), (w0, w1) = box
        if self.cache:
            if self._frames is None:
                self._frames = self._decode_all()
            return np.array(self._frames[:, t0:t1, h0:h1, w0:w1])
        if t1 - t0 == self._shape[1]:  # every frame: decode in order rather than seek each
            return np.array(self._decode_all()[:, :, h0:h1, w0:w1])
        frames = [self._frame(index)[:, h0:h1, w0:w1] for index in range(t0, t1)]
        return np.stack(frames, axis=1)


def _timing(iio: Any, path: Path) -> dict[str, float]:
    """The frame rate (``fps``) or per-frame duration in ms (``duration``, GIF) of ``path``."""
    meta = iio.immeta(path)
    if meta.get("fps"):
        return {"fps": float(meta["fps"])}
    if meta.get("duration"):
        return {"duration": float(meta["duration"])}
    return {}


def open_video(path: Path) -> VideoInput:
    """Open ``path`` as a source ``[C, F, H, W]`` (uint8) decoded one frame at a time."""
    return VideoInput(path)


class VideoInput:
    """A video seen as ``[C, F, H, W]``, decoded frame by frame as windows ask for them.

    Opening probes the file with the training reader :class:`VideoSource` (frame count, first and
    last frame), whose conversion every decoded frame goes through (the file's own channels). Reads
    decode forward and keep only the frames from the window's first one on, so a 2D model holds one
    frame and a 3D model one tile's depth of frames; a window that starts before the kept frames
    decodes again from the start.
    """

    def __init__(self, path: Path) -> None:
        self.reader = VideoSource(path, color=None)
        self.iio: Any = require("imageio.v3", "video", path)
        self.path = path
        try:
            self.timing = _timing(self.iio, path)
        except Exception as error:  # imageio and its plugins raise many exception types
            raise _unreadable(path, error) from error
        self.shape: tuple[int, ...] = self.reader.shape
        self.dtype: np.dtype[Any] = self.reader.dtype
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
                    self._kept[self._next] = self.reader.frame_array(frame, self._next)
                self._next += 1
        except StopIteration:
            msg = f"video {self.path} ended after {self._next} frames; expected {self.shape[1]}"
            raise InputError(msg) from None
        except InputError:
            raise
        except Exception as error:  # imageio and its plugins raise many exception types
            raise _unreadable(self.path, error) from error

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
