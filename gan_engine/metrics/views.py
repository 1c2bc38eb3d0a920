"""The one rule by which 2D RGB metrics see volumes and other band counts.

Perceptual and distribution metrics (LPIPS, DISTS, FID, KID) are networks trained on 2D RGB
photos. Every other kind of data reaches them through this module:

* **Bands.** One band is repeated to three (grayscale); three bands are used as they are; any
  other count needs ``bands``, the three band indices to show the network (e.g. ``[3, 2, 1]``,
  Sentinel-2's red, green and blue in the usual band order). A metric given a feature network of
  the user's own (FID/KID ``feature_network``) sees every band instead.
* **Volumes (2.5D).** A ``[B, C, D, H, W]`` volume is cut into its 2D slices along each of the
  three axes. A per-sample metric scores every slice, averages the slices of each axis and then
  the three axes (MONAI's 2.5D perceptual loss does the same); a distribution metric takes every
  slice of every axis as one image of the set.
* **Values** are scaled from ``[0, data_range]`` (sensor units) to ``[0, 1]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import torch
from torch import Tensor

from gan_engine.errors import InvalidParamError


def band_errors(
    bands: Sequence[int] | None, channels: int, key: str = "bands"
) -> Iterable[InvalidParamError]:
    """The problems of a band selection for data with ``channels`` bands (none when it fits)."""
    if bands is None:
        if channels not in (1, 3):
            yield InvalidParamError(
                key,
                f"the data has {channels} bands; a 2D RGB metric needs three of them: give "
                f"{key}: [i, j, k] (band indices, e.g. [3, 2, 1] for Sentinel-2's RGB)",
            )
        return
    if len(bands) != 3:
        yield InvalidParamError(key, f"expected 3 band indices, got {len(bands)}: {list(bands)}")
    outside = [band for band in bands if not 0 <= band < channels]
    if outside:
        yield InvalidParamError(
            key, f"band indices must lie in [0, {channels - 1}] ({channels} bands), got {outside}"
        )


def three_bands(x: Tensor, bands: Sequence[int] | None) -> Tensor:
    """``[B, C, *S]`` → ``[B, 3, *S]`` by the band rule (1 repeated, 3 as is, else ``bands``)."""
    if bands is not None:
        index = torch.tensor(list(bands), device=x.device)
        return x.index_select(1, index)
    channels = x.shape[1]
    if channels == 1:
        return x.expand(-1, 3, *x.shape[2:])
    if channels == 3:
        return x
    raise next(iter(band_errors(None, channels)))


def unit_range(x: Tensor, data_range: float) -> Tensor:
    """Sensor units ``[0, data_range]`` → float32 ``[0, 1]`` (not clamped)."""
    if data_range <= 0:
        msg = f"data_range must be > 0, got {data_range}"
        raise ValueError(msg)
    return x.float() / float(data_range)


def axis_slices(x: Tensor) -> list[Tensor]:
    """The 2D images a batch is seen as: ``[x]`` in 2D; in 3D one batch of slices per axis.

    ``[B, C, D, H, W]`` gives ``[B·D, C, H, W]``, ``[B·H, C, D, W]`` and ``[B·W, C, D, H]``,
    each ordered sample by sample.
    """
    if x.ndim == 4:
        return [x]
    if x.ndim != 5:
        msg = f"expected [B, C, H, W] or [B, C, D, H, W], got shape {tuple(x.shape)}"
        raise ValueError(msg)
    slices = []
    for axis in range(3):
        moved = x.movedim(2 + axis, 1)
        slices.append(moved.reshape(-1, x.shape[1], *moved.shape[3:]))
    return slices


def slice_mean(distances: Sequence[Tensor], batch: int) -> Tensor:
    """Per-sample scores ``[B]`` from the scores of each axis's slices (see :func:`axis_slices`).

    The slices of each axis are averaged per sample, then the axes (one axis in 2D).
    """
    per_axis = [distance.reshape(batch, -1).mean(dim=1) for distance in distances]
    return torch.stack(per_axis).mean(dim=0)


def per_sample(
    score: Callable[[Tensor, Tensor], Tensor], prediction: Tensor, target: Tensor
) -> Tensor:
    """``score`` of each sample ``[B]``; 3D: mean over each axis's slices, then over the 3 axes.

    ``score`` maps two ``[N, C, H, W]`` batches to ``[N]``.
    """
    if prediction.shape != target.shape:
        msg = f"shapes differ: {tuple(prediction.shape)} vs {tuple(target.shape)}"
        raise ValueError(msg)
    distances = [
        score(x, y) for x, y in zip(axis_slices(prediction), axis_slices(target), strict=True)
    ]
    return slice_mean(distances, prediction.shape[0])
