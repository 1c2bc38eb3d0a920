"""Registered video datasets: ``video`` for a folder of clips, ``sample_video`` built in.

Frames are the depth axis of a ``[C, T, H, W]`` source (see :mod:`gan_engine.io.video`).

- ``Data.dimensions: 2d``: frame by frame; each frame is an independent image, and SR is spatial.
- ``Data.dimensions: 3d``: patches are ``[T, H, W]`` clips, and since generators upscale every
  spatial axis, **time is super-resolved too**: the LR clip has ``T / scale`` frames (block-averaged
  by ``area``, or ``trilinear``) and the model must restore the frame rate along with the
  resolution (joint space-time SR). Use 2D for spatial-only video SR.

Intensities stay as decoded (uint8: 0–255, ``intensity: raw``).
"""

from __future__ import annotations

from pathlib import Path

import attrs

from gan_engine.data.files import sample_photos_folder
from gan_engine.data.sources import ArraySource
from gan_engine.data.volumes.params import (
    FolderPatchParams,
    PatchParams,
    extension_list,
    one_of,
    optional_at_least,
)
from gan_engine.data.volumes.selector import (
    FolderSourceSelector,
    SourceSelector,
    hold_out_end,
    prepare_sources,
    raise_param_errors,
)
from gan_engine.errors import InvalidParamError
from gan_engine.io.video import (
    VIDEO_CHANNELS,
    VIDEO_COLORS,
    VIDEO_EXTENSIONS,
    VideoColor,
    VideoSource,
)
from gan_engine.params import at_least
from gan_engine.registry import register_dataset
from gan_engine.types import BuildContext, SpatialDims

SAMPLE_VIDEO_FILE = "no_time_for_that_tiny.gif"


def _color_errors(color: VideoColor, context: BuildContext) -> list[InvalidParamError]:
    expected = VIDEO_CHANNELS[color]
    if context.channels == expected:
        return []
    msg = f"color {color!r} gives {expected} channel(s), the run has channels={context.channels}"
    return [InvalidParamError("color", msg)]


@attrs.frozen(kw_only=True)
class VideoParams(FolderPatchParams):
    """Parameters of ``video`` (see :class:`FolderPatchParams` for the rest).

    Attributes:
        extensions: video file extensions (MP4 and other movies need an imageio backend).
        color: ``rgb`` (3 channels) or ``gray`` (1 channel, luma).
    """

    extensions: list[str] = attrs.field(
        factory=lambda: list(VIDEO_EXTENSIONS), validator=extension_list
    )
    color: VideoColor = attrs.field(default="rgb", validator=one_of(VIDEO_COLORS))

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Folder and patch checks, and channels matching ``color``."""
        return super().check(context) + _color_errors(self.color, context)


@register_dataset("video", params=VideoParams)
class VideoSelector(FolderSourceSelector):
    """Video clips from a folder: frames one by one (2D) or space-time clips (3D)."""

    noun = "videos"
    what = "video"
    frame_word = "frame"

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: VideoParams
    ) -> None:
        self.color = params.color
        super().__init__(spatial_dims, channels, scale, params)

    def open_file(self, path: Path) -> list[ArraySource]:
        """One clip as one ``[C, T, H, W]`` source in the chosen ``color``."""
        return [VideoSource(path, self.color)]


@attrs.frozen(kw_only=True)
class SampleVideoParams(PatchParams):
    """Parameters of ``sample_video`` (see :class:`PatchParams` for the rest).

    Attributes:
        color: ``rgb`` (3 channels) or ``gray`` (1 channel).
        val_frames: last frames held out for validation.
    """

    patch_size: int = attrs.field(default=12, validator=at_least(1))
    patch_depth: int | None = attrs.field(default=8, validator=optional_at_least(1))
    val_patch_size: int = attrs.field(default=12, validator=at_least(1))
    val_patch_depth: int | None = attrs.field(default=6, validator=optional_at_least(1))
    cache: bool = True
    color: VideoColor = attrs.field(default="rgb", validator=one_of(VIDEO_COLORS))
    val_frames: int = attrs.field(default=6, validator=at_least(1))

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Patch checks (depths are ignored in 2D) and channels matching ``color``."""
        errors = super().check(context)
        if context.spatial_dims == 2:  # the 3D depth defaults are harmless in 2D
            errors = [e for e in errors if e.key not in ("patch_depth", "val_patch_depth")]
        return errors + _color_errors(self.color, context)

    @classmethod
    def tiny(cls) -> SampleVideoParams:
        """Small patches and few samples, for fast tests."""
        return cls(patch_size=8, patch_depth=4, val_patch_size=12, samples_per_epoch=8)


@register_dataset("sample_video", params=SampleVideoParams)
class SampleVideoSelector(SourceSelector):
    """A real animated GIF from scikit-image's folder (no download), split in time.

    ``no_time_for_that_tiny.gif`` is 24 RGB frames of 25x14 pixels. The last ``val_frames`` frames
    are held out for validation and the frames before them train (neighbouring frames at the cut
    are alike, as in any temporal split). 2D: frames one by one; 3D: clips, time upscaled too.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: SampleVideoParams | None = None,
    ) -> None:
        params = params or SampleVideoParams()
        context = BuildContext(spatial_dims=spatial_dims, channels=channels, scale=scale)
        raise_param_errors(params, context)
        path = sample_photos_folder() / SAMPLE_VIDEO_FILE
        (clip,), data_range, quantise = prepare_sources(
            [VideoSource(path, params.color)], params, channels
        )
        train, val = hold_out_end(clip, 0, params.val_frames, "val_frames", "frames", str(path))
        super().__init__(
            context,
            params,
            [train],
            [val],
            data_range=data_range,
            quantise=quantise,
            frame_word="frame",
        )
