"""HR-only datasets over N-D sources: random patches for training, fixed tiles for validation.

Work in 2D (sources ``[C, H, W]``) and 3D (``[C, D, H, W]``): volumes, TIFF stacks, video clips, or
their frames. LR is made from each HR patch on the fly by
:func:`~gan_engine.data.transforms.degradation.degrade`. Randomness is keyed by
``(seed, epoch, index)`` (see :func:`~gan_engine.data.seeding.item_generator`), so an item is
the same whichever worker computes it. Sources are expected to return values in ``[0, data_range]``
already (see :mod:`gan_engine.data.transforms.intensity`). Every sample is
``{"lr": [C, *(P / scale)], "hr": [C, *P]}``, float32.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from gan_engine.data.epochs import EpochKeyed, SharedEpoch
from gan_engine.data.seeding import item_generator
from gan_engine.data.sources import ArraySource, Box, full_box, size_text
from gan_engine.data.transforms.augment import DihedralTransform
from gan_engine.data.transforms.degradation import DegradationMode, check_mode, degrade
from gan_engine.data.unreadable import reading
from gan_engine.errors import DataError
from gan_engine.types import Sample, SpatialDims


def spatial_dims_of_patch(patch: Sequence[int]) -> SpatialDims:
    """2 or 3 from a patch's number of axes; ``ValueError`` otherwise."""
    if len(patch) == 2:
        return 2
    if len(patch) == 3:
        return 3
    msg = f"expected a 2D (H, W) or 3D (D, H, W) patch, got {tuple(patch)}"
    raise ValueError(msg)


def check_sources(sources: Sequence[ArraySource], patch: Sequence[int], what: str) -> int:
    """Check that every source is ``[C, *S]`` with ``len(S) == len(patch)`` and holds a patch.

    Returns the common channel count.

    Raises:
        DataError: no sources, a source smaller than the patch on some axis, or channel counts that
            differ; the message names the source and the sizes.
    """
    if not sources:
        msg = f"no {what} data"
        raise DataError(msg)
    channels = sources[0].shape[0]
    for source in sources:
        spatial = source.shape[1:]
        if len(spatial) != len(patch):
            msg = f"{source.label} has {len(spatial)} spatial axes, the {what} patch {len(patch)}"
            raise DataError(msg)
        if any(size < side for size, side in zip(spatial, patch, strict=True)):
            msg = (
                f"{source.label} is {size_text(spatial)}, smaller than the {what} patch of "
                f"{size_text(tuple(patch))} on some axis"
            )
            raise DataError(msg)
        if source.shape[0] != channels:
            msg = (
                f"{source.label} has {source.shape[0]} channel(s), {sources[0].label} has "
                f"{channels}: every {what} file must have the same channels"
            )
            raise DataError(msg)
    return channels


def _check_scale(patch: Sequence[int], scale: int, key: str) -> None:
    if scale < 1 or any(side < scale or side % scale for side in patch):
        msg = f"{key} {tuple(patch)} must be positive multiples of the scale {scale}"
        raise ValueError(msg)


def _window(box: Box) -> tuple[slice, ...]:
    return (slice(None), *(slice(start, stop) for start, stop in box))


def _read(source: ArraySource, box: Box) -> Tensor:
    with reading(source.label):
        values = source.read(box)
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))


class HRPatchDataset(EpochKeyed, Dataset[Sample]):
    """Training pairs: one random HR patch per item (shape ``patch``) and its degraded LR.

    ``len`` is ``samples_per_epoch``. Item ``index`` of epoch ``e`` comes from source
    ``(e * samples_per_epoch + index) % len(sources)``, so sources are used equally whatever their
    size. Augmentation flips any spatial axis and turns the last two (``H``, ``W``); the patch has
    equal ``H`` and ``W`` when ``augment`` is set. Call :meth:`set_epoch` each epoch (the epoch is in
    shared memory, so DataLoader workers see it).
    """

    def __init__(
        self,
        sources: Sequence[ArraySource],
        scale: int,
        patch: Sequence[int],
        data_range: float,
        degradation: DegradationMode = "area",
        augment: bool = True,
        samples_per_epoch: int = 256,
        seed: int = 0,
        *,
        quantise: bool = False,
    ) -> None:
        self.spatial_dims = spatial_dims_of_patch(patch)
        check_mode(degradation, self.spatial_dims)
        _check_scale(patch, scale, "patch")
        if augment and patch[-1] != patch[-2]:
            msg = f"augmentation turns H and W, so the patch needs H == W, got {tuple(patch)}"
            raise ValueError(msg)
        if samples_per_epoch < 1 or seed < 0:
            msg = f"need samples_per_epoch >= 1 and seed >= 0, got {samples_per_epoch}, {seed}"
            raise ValueError(msg)
        self.channels = check_sources(sources, patch, "training")
        self.sources = list(sources)
        self.scale = scale
        self.patch = tuple(patch)
        self.data_range = data_range
        self.degradation = degradation
        self.augment = augment
        self.samples_per_epoch = samples_per_epoch
        self.seed = seed
        self.quantise = quantise
        self._epoch = SharedEpoch()

    def __len__(self) -> int:
        return self.samples_per_epoch

    def source_index(self, index: int) -> int:
        """Position in ``sources`` of the source item ``index`` of the current epoch is cut from."""
        return self._source_at(self.epoch, index)

    def _source_at(self, epoch: int, index: int) -> int:
        return (epoch * self.samples_per_epoch + index) % len(self.sources)

    def __getitem__(self, index: int) -> Sample:
        if not 0 <= index < self.samples_per_epoch:
            msg = f"index {index} out of range for {self.samples_per_epoch} samples per epoch"
            raise IndexError(msg)
        epoch = self.epoch
        generator = item_generator(self.seed, epoch, index)
        source = self.sources[self._source_at(epoch, index)]
        corner = [
            int(torch.randint(0, size - side + 1, (1,), generator=generator))
            for size, side in zip(source.shape[1:], self.patch, strict=True)
        ]
        hr = _read(source, tuple((a, a + side) for a, side in zip(corner, self.patch, strict=True)))
        if self.augment:
            hr = DihedralTransform.random(self.spatial_dims, generator)(hr)
        lr = degrade(hr, self.scale, self.degradation, self.data_range, quantise=self.quantise)
        return {"lr": lr, "hr": hr}


class HRTileGridDataset(Dataset[Sample]):
    """Validation pairs: every whole ``tile`` of each source on a regular grid, and its LR.

    Tiles do not overlap; edge strips that cannot hold a whole tile are left out. Deterministic.
    With ``skip_flat``, tiles whose HR values are all equal (pure background, as around an MRI
    head) are left out too: any model reproduces them exactly, so their PSNR is infinite and says
    nothing; finding them reads each source once, when the dataset is built.

    Raises:
        DataError: a source smaller than a tile, or every tile flat.
    """

    def __init__(
        self,
        sources: Sequence[ArraySource],
        scale: int,
        tile: Sequence[int],
        data_range: float,
        degradation: DegradationMode = "area",
        *,
        quantise: bool = False,
        skip_flat: bool = False,
    ) -> None:
        self.spatial_dims = spatial_dims_of_patch(tile)
        check_mode(degradation, self.spatial_dims)
        _check_scale(tile, scale, "validation tile")
        self.channels = check_sources(sources, tile, "validation")
        self.sources = list(sources)
        self.scale = scale
        self.tile = tuple(tile)
        self.data_range = data_range
        self.degradation = degradation
        self.quantise = quantise
        self.tiles: list[tuple[int, Box]] = []
        for position, source in enumerate(self.sources):
            starts = [
                range(0, size - side + 1, side)
                for size, side in zip(source.shape[1:], self.tile, strict=True)
            ]
            boxes = [
                tuple((a, a + side) for a, side in zip(corner, self.tile, strict=True))
                for corner in itertools.product(*starts)
            ]
            if skip_flat:
                with reading(source.label):
                    values = source.read(full_box(source.shape))
                boxes = [box for box in boxes if np.ptp(values[_window(box)]) > 0]
            self.tiles.extend((position, box) for box in boxes)
        if not self.tiles:
            labels = ", ".join(source.label for source in self.sources)
            msg = f"every validation tile of {size_text(self.tile)} is flat (one value) in {labels}"
            raise DataError(msg)

    def __len__(self) -> int:
        return len(self.tiles)

    def source_index(self, index: int) -> int:
        """Position in ``sources`` of the source tile ``index`` is cut from."""
        return self.tiles[index][0]

    def __getitem__(self, index: int) -> Sample:
        position, box = self.tiles[index]
        hr = _read(self.sources[position], box)
        lr = degrade(hr, self.scale, self.degradation, self.data_range, quantise=self.quantise)
        return {"lr": lr, "hr": hr}
