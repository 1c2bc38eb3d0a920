"""Video files (animated GIF; MP4/MOV/AVI/MKV/WebM with an imageio backend) as ``[C, F, H, W]``.

Frames are decoded whole with imageio (the ``video`` extra) and the output is written in the input's
container with the same frame timing. A 2D model super-resolves frame by frame; a 3D model treats
frames as depth, so it upscales time too and the output has ``F · scale`` frames, played faster by
the same factor so the clip keeps its length.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink
from gan_engine.io.errors import InputError
from gan_engine.io.memory import ArraySink, ArraySource
from gan_engine.io.optional import require

VIDEO_SUFFIXES: tuple[str, ...] = (".gif", ".mp4", ".mov", ".avi", ".mkv", ".webm")


def _timing(iio: Any, path: Path) -> dict[str, float]:
    """The frame rate (``fps``) or per-frame duration in ms (``duration``, GIF) of ``path``."""
    meta = iio.immeta(path)
    if meta.get("fps"):
        return {"fps": float(meta["fps"])}
    if meta.get("duration"):
        return {"duration": float(meta["duration"])}
    return {}


def open_video(path: Path) -> ArraySource:
    """Decode every frame of ``path`` into an in-memory source ``[C, F, H, W]`` (uint8)."""
    iio = require("imageio.v3", "video", path)
    try:
        frames = np.asarray(iio.imread(path, index=None))
        timing = _timing(iio, path)
    except Exception as error:  # imageio and its plugins raise many exception types
        reason = " ".join(str(error).split())[:240]
        msg = (
            f"cannot read video {path}: {type(error).__name__}: {reason} (movie formats need an "
            "imageio backend: pip install 'gan-engine[video]')"
        )
        raise InputError(msg) from error
    if frames.ndim == 3:  # grayscale frames [F, H, W]
        frames = frames[..., None]
    if frames.ndim != 4:
        msg = f"video {path}: expected frames [F, H, W, C], got shape {frames.shape}"
        raise InputError(msg)
    array = np.ascontiguousarray(frames.transpose(3, 0, 1, 2))
    source_frames = array.shape[1]

    def create(target: Path, layout: OutputLayout) -> RasterSink:
        speed = layout.shape[1] / source_frames  # > 1 when a 3D model upscaled time
        return ArraySink(layout, lambda out: save_video(out, target, _faster(timing, speed)))

    return ArraySource(array, path, None, create)


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
