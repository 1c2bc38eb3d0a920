"""Masks from the data itself: the nodata pixels the raster readers mark in each sample.

Raster datasets mark nodata, NaN and cloud-masked pixels in the sample's ``mask`` (1 = valid, at the
target's resolution); :class:`NodataHoles` turns them into holes to fill, resized to the requested
shape (a hole covers every pixel of a block that has one invalid pixel when shrinking).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from gan_engine.errors import DataError
from gan_engine.masks.base import check_shape
from gan_engine.registry import Capabilities, NoParams, register_mask_generator
from gan_engine.types import Sample


def _resize_holes(holes: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``holes[1, *S]`` at ``shape`` by an integer factor: max over blocks down, nearest up."""
    source = tuple(holes.shape[1:])
    if source == shape:
        return holes
    if all(s % t == 0 for s, t in zip(source, shape, strict=True)):
        factor = source[0] // shape[0]
        if all(s // t == factor for s, t in zip(source, shape, strict=True)):
            pool = F.max_pool2d if len(shape) == 2 else F.max_pool3d
            return pool(holes[None], factor)[0]
    if all(t % s == 0 for s, t in zip(source, shape, strict=True)):
        return F.interpolate(holes[None], size=shape, mode="nearest")[0]
    msg = (
        f"nodata: the sample's mask has shape {source}, which is no integer multiple or fraction "
        f"of the requested hole shape {shape}"
    )
    raise DataError(msg)


def _where(sample: Sample) -> str:
    metadata = sample.get("metadata")
    path = metadata.get("path") if isinstance(metadata, dict) else None
    return f" ({path})" if path else ""


@register_mask_generator(
    "nodata", params=NoParams, capabilities=Capabilities(spatial_dims=frozenset({2, 3}))
)
class NodataHoles:
    """Holes where the sample's data is missing: nodata, NaN or masked pixels of rasters."""

    name = "nodata"

    def __init__(self, params: NoParams | None = None) -> None:
        self.params = params or NoParams()

    def __call__(
        self, shape: Sequence[int], rng: np.random.Generator, sample: Sample | None = None
    ) -> Tensor:
        """``1 - sample["mask"]`` resized to ``[1, *shape]``.

        Raises:
            DataError: the sample has no nodata mask, or every pixel of it is missing.
        """
        sizes = check_shape(self.name, shape)
        if sample is None or "mask" not in sample:
            msg = (
                "nodata: this mask generator reads each sample's nodata mask, but the dataset "
                "gives none (raster datasets do; other data needs drawn masks)"
            )
            raise DataError(msg)
        valid = sample["mask"]
        holes = (valid.reshape(1, *valid.shape[-len(sizes) :]) < 0.5).to(torch.float32)
        if bool(holes.all()):
            msg = (
                f"nodata: every pixel of the sample is nodata{_where(sample)}; nothing to fill from"
            )
            raise DataError(msg)
        return _resize_holes(holes, sizes)
