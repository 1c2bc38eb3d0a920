"""Hole masks for prediction: from a mask file next to the input, or from the input's own nodata.

A model trained to fill holes (an inpainting or gap-filling checkpoint) reads each tile together
with its hole mask. :class:`HoleSource` gives the mask of any window: a mask file is read with the
same readers (and so the same axis conventions) as the image and must cover the same pixels, with
the same georeference (GeoTIFF CRS and transform, NIfTI affine); without a file the holes are the
input's nodata and NaN pixels, so the gaps of a raster are filled.

Tiles see ``overlap`` pixels of context on each side, the generator's receptive-field radius (see
:mod:`gan_engine.inference.receptive`): an output pixel then depends on no pixel outside its tile,
so tiled output equals whole-image output and a hole near a tile edge is filled from the same
context as anywhere else. Generators with an unbounded receptive field (fast Fourier blocks) use
the blended mode; give them tiles that hold the holes with their surroundings (``--tile``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from gan_engine.inference.errors import InputError
from gan_engine.inference.nodata import invalid_mask
from gan_engine.io.base import RasterSource, Window


def georeference(source: RasterSource) -> tuple[str, Any] | None:
    """What places ``source``'s pixels in the world, for comparison: ``(what, value)`` or ``None``."""
    describe = getattr(source, "georeference", None)
    if not callable(describe):
        return None
    result: tuple[str, Any] | None = describe()
    return result


class HoleSource:
    """The hole mask ``[1, *w]`` (1 = missing) of any window of ``image``.

    Args:
        image: the input being predicted.
        mask: an opened mask file covering the same pixels (any non-zero value is a hole), or
            ``None`` to use ``image``'s nodata and NaN pixels.
        frame: the frame of a ``[C, F, *S]`` source (``None``: no frame axis).

    Raises:
        InputError: the mask's shape or georeference differs from the image's, or it leaves no
            pixel known.
    """

    def __init__(
        self, image: RasterSource, mask: RasterSource | None, frame: int | None = None
    ) -> None:
        self.image = image
        self.mask = mask
        self.prefix: tuple[slice, ...] = () if frame is None else (slice(frame, frame + 1),)
        if mask is not None:
            _check_mask(image, mask)

    @property
    def source(self) -> RasterSource:
        """Where the holes are read from (the mask file, or the image itself)."""
        return self.image if self.mask is None else self.mask

    def __call__(self, window: Window) -> Tensor:
        """Holes ``[1, *window sizes]`` as float32."""
        raw = self.source.read((*self.prefix, *window))
        if self.prefix:
            raw = raw[:, 0]
        if self.mask is not None:
            holes = np.asarray(raw != 0).any(axis=0, keepdims=True)
        else:
            invalid = invalid_mask(raw, self.image.nodata)
            shape = (1, *raw.shape[1:])
            holes = np.zeros(shape, bool) if invalid is None else invalid.any(axis=0, keepdims=True)
        return torch.from_numpy(np.ascontiguousarray(holes, dtype=np.float32))


def _check_mask(image: RasterSource, mask: RasterSource) -> None:
    if tuple(mask.shape[1:]) != tuple(image.shape[1:]):
        msg = (
            f"mask {mask.path} has spatial shape {tuple(mask.shape[1:])} but the input "
            f"{image.path} has {tuple(image.shape[1:])}"
        )
        raise InputError(msg)
    mine, theirs = georeference(mask), georeference(image)
    if mine is not None and theirs is not None and mine != theirs:
        msg = f"mask {mask.path} has {mine[0]} {mine[1]} but the input {image.path} has {theirs[1]}"
        raise InputError(msg)
    everything = tuple(slice(0, n) for n in mask.shape[1:])
    if bool(np.all(mask.read(everything) != 0)):
        msg = f"mask {mask.path} marks every pixel of {image.path} as missing; nothing to fill from"
        raise InputError(msg)


def mask_path_for(mask: str | Path | None) -> Path | None:
    """The mask file given on the command line (``None`` or ``"nodata"``: the input's nodata)."""
    if mask is None or str(mask) == "nodata":
        return None
    return Path(mask)
