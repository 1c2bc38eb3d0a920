"""Registered microscopy datasets: ``microscopy`` for TIFF stacks, ``sample_microscopy`` built in.

``microscopy`` reads TIFF images and multi-page stacks (see :mod:`gan_engine.io.tiff`) as
volumes in 3D (``Data.dimensions: 3d``: patches span pages) or page by page in 2D (each page an
image). Grayscale (1 channel) or multi-channel (``C``/``S`` axis). Intensities are kept as stored by
default (``raw``: uint8 → 0–255, uint16 → 0–65535; set ``data_range`` for 12-bit cameras or float
data), and LR is made on the fly.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from gan_engine.data.files import sample_photos_folder
from gan_engine.data.sources import ArraySource, MemorySource
from gan_engine.data.volumes.params import FolderPatchParams, PatchParams, extension_list
from gan_engine.data.volumes.selector import (
    FolderSourceSelector,
    SourceSelector,
    hold_out_end,
    prepare_sources,
    raise_param_errors,
)
from gan_engine.errors import InvalidParamError
from gan_engine.io.images import read_image_array
from gan_engine.io.tiff import TIFF_EXTENSIONS, TiffStackSource
from gan_engine.params import at_least
from gan_engine.registry import Capabilities, register_dataset
from gan_engine.types import BuildContext, SpatialDims

SAMPLE_MICROSCOPY_FILE = "cell.png"


@attrs.frozen(kw_only=True)
class MicroscopyParams(FolderPatchParams):
    """Parameters of ``microscopy`` (see :class:`FolderPatchParams`).

    Attributes:
        extensions: TIFF file extensions.
    """

    extensions: list[str] = attrs.field(
        factory=lambda: list(TIFF_EXTENSIONS), validator=extension_list
    )


@register_dataset("microscopy", params=MicroscopyParams)
class MicroscopySelector(FolderSourceSelector):
    """TIFF stacks from a folder: 3D volumes or 2D pages, LR made on the fly."""

    frame_word = "page"
    what = "TIFF file"

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: MicroscopyParams
    ) -> None:
        super().__init__(spatial_dims, channels, scale, params)

    def open_file(self, path: Path) -> list[ArraySource]:
        """One TIFF image or stack as one source."""
        return [TiffStackSource(path)]


@attrs.frozen(kw_only=True)
class SampleMicroscopyParams(PatchParams):
    """Parameters of ``sample_microscopy`` (see :class:`PatchParams` for the rest).

    Attributes:
        val_width: columns at the right edge of the image held out for validation.
    """

    patch_size: int = attrs.field(default=64, validator=at_least(1))
    val_patch_size: int = attrs.field(default=64, validator=at_least(1))
    cache: bool = True
    val_width: int = attrs.field(default=128, validator=at_least(1))

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Base checks, 2D only and one channel."""
        errors = super().check(context)
        if context.spatial_dims != 2:
            msg = f"the sample image is 2D, the run has spatial_dims={context.spatial_dims}"
            errors.append(InvalidParamError("spatial_dims", msg))
        if context.channels != 1:
            msg = f"the sample image has 1 channel, the run has channels={context.channels}"
            errors.append(InvalidParamError("channels", msg))
        return errors

    @classmethod
    def tiny(cls) -> SampleMicroscopyParams:
        """Small patches and few samples, for fast tests."""
        return cls(patch_size=16, val_patch_size=64, samples_per_epoch=8)


@register_dataset(
    "sample_microscopy",
    params=SampleMicroscopyParams,
    capabilities=Capabilities(spatial_dims=frozenset({2})),
)
class SampleMicroscopySelector(SourceSelector):
    """A real microscopy image from scikit-image's folder (no download), split spatially.

    ``cell.png`` is a quantitative phase image (660x550, 8-bit, 0.107 µm pixels) of one cell floating
    in saline, with a banding artifact in the background. With one image there is no second image
    to validate on: the rightmost ``val_width`` columns are held out (they hold the right part of
    the cell and background), the rest trains. Training and validation share no pixel, but they do
    share the cell. 2D and one channel only; values stay 0–255.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: SampleMicroscopyParams | None = None,
    ) -> None:
        params = params or SampleMicroscopyParams()
        context = BuildContext(spatial_dims=spatial_dims, channels=channels, scale=scale)
        raise_param_errors(params, context)
        path = sample_photos_folder() / SAMPLE_MICROSCOPY_FILE
        image = MemorySource(read_image_array(path, "gray")[:, None], str(path))
        (stored,), data_range, quantise = prepare_sources([image], params, channels)
        train, val = hold_out_end(stored, 2, params.val_width, "val_width", "columns", str(path))
        super().__init__(
            context,
            params,
            [train],
            [val],
            data_range=data_range,
            quantise=quantise,
            frame_word="image",
        )
