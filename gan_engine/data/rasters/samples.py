"""Turning one window of a scene into a sample: read, mask nodata, fill, degrade, augment.

Samples are ``{"lr": [C, h, w], "hr": [C, h·s, w·s], "mask": [1, h·s, w·s]}`` in float32 sensor
units (integer data converts exactly; no rescaling happens before the normaliser), plus
``"metadata"`` when asked for. ``mask`` is 1 where the HR pixel is valid and, for paired scenes, the
LR pixel over it too.

Metadata is a flat dict of strings and ints so that PyTorch's ``default_collate`` batches it without
help: strings become lists of strings, ints become int64 tensors ``[B]``. Keys: ``path`` (HR file),
``top`` and ``left`` (HR pixel offsets of the window, before augmentation), ``crs`` (``"EPSG:…"``,
WKT, or ``""``) and ``transform`` (the window's affine transform as ``"a,b,c,d,e,f"``, exact floats;
``""`` without georeferencing; parse with
:func:`~gan_engine.io.raster_header.parse_transform`). Floats are avoided on purpose: they would
batch into float64 tensors, which some accelerators refuse.
"""

from __future__ import annotations

from typing import TypedDict

import attrs
import torch

from gan_engine.data.rasters.files import read_window
from gan_engine.data.rasters.scenes import Scene
from gan_engine.data.transforms.augment import DihedralTransform
from gan_engine.data.transforms.degradation import Degradation
from gan_engine.data.transforms.masks import (
    FillMode,
    fill_invalid,
    mask_tensor,
    to_float,
    upsample_mask,
    valid_pixels,
)
from gan_engine.io.raster_header import PixelWindow, format_transform
from gan_engine.types import Sample


class SampleMetadata(TypedDict):
    """Where a sample comes from: strings and ints only, so it is JSON-able and batches alike."""

    path: str
    top: int
    left: int
    crs: str
    transform: str


class RasterSample(Sample):
    """A :class:`~gan_engine.types.Sample` with its validity ``mask`` and optional ``metadata``.

    ``metadata``, when asked for, holds the keys of :class:`SampleMetadata`.
    """


@attrs.frozen(kw_only=True)
class WindowReader:
    """Reads samples of scenes window by window.

    Attributes:
        scale: the super-resolution factor.
        degradation: how HR-only scenes get their LR.
        fill: the neutral value of nodata pixels (see :mod:`gan_engine.data.transforms.masks`).
        metadata: add the ``metadata`` entry to samples.
    """

    scale: int
    degradation: Degradation = attrs.field(factory=Degradation)
    fill: FillMode = "mean"
    metadata: bool = False

    def read(
        self,
        scene: Scene,
        window: PixelWindow,
        generator: torch.Generator | None = None,
        transform: DihedralTransform | None = None,
    ) -> RasterSample:
        """The sample of HR ``window`` of ``scene`` (aligned to the scale for paired scenes).

        ``generator`` draws the degradation noise; ``transform`` flips/turns LR, HR and mask alike.
        """
        hr_raw = read_window(scene.hr, window)
        hr_valid = valid_pixels(hr_raw, scene.hr.nodata)
        hr = fill_invalid(to_float(hr_raw), hr_valid, self.fill)
        if scene.lr is None:
            header = scene.hr
            quantise = self.degradation.quantise and header.is_integer
            degradation = attrs.evolve(self.degradation, quantise=quantise)
            lr = degradation.apply(hr, self.scale, header.value_bounds(), generator)
            valid = hr_valid
        else:
            lr_raw = read_window(scene.lr, window.scaled_down(self.scale))
            lr_valid = valid_pixels(lr_raw, scene.lr.nodata)
            lr = fill_invalid(to_float(lr_raw), lr_valid, self.fill)
            valid = hr_valid & upsample_mask(lr_valid, self.scale)
        mask = mask_tensor(valid)
        if transform is not None:
            lr, hr, mask = transform(lr), transform(hr), transform(mask)
        sample: RasterSample = {"lr": lr, "hr": hr, "mask": mask}
        if self.metadata:
            origin = SampleMetadata(
                path=str(scene.hr.path),
                top=window.top,
                left=window.left,
                crs=scene.hr.crs or "",
                transform=format_transform(scene.hr.window_transform(window)),
            )
            sample["metadata"] = dict(origin)
        return sample
