"""Datasets that cut LR/HR pairs on the fly from high-resolution image files (2D).

Training items are random HR crops, optionally flipped and turned, with LR made by degradation.
Randomness is keyed by ``(seed, epoch, index)`` through a private ``torch.Generator``, so an item is
the same whichever worker computes it and whatever ran before. Validation items are fixed tiles.
Every sample is ``{"lr": [C, p / scale, p / scale], "hr": [C, p, p]}``, float32, in sensor units.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from gan_engine.data.epochs import EpochKeyed, SharedEpoch
from gan_engine.data.seeding import item_generator
from gan_engine.data.transforms.augment import DihedralTransform
from gan_engine.data.transforms.degradation import DegradationMode, check_mode, degrade
from gan_engine.data.unreadable import UnreadablePolicy, open_readable, reading
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.io.images import (
    COLOR_CHANNELS,
    ColorMode,
    ImageHeader,
    PixelArray,
    common_data_range,
    probe_image,
    read_image_array,
)
from gan_engine.types import Sample


def _at_least(key: str, value: int, bound: int) -> None:
    if value < bound:
        raise InvalidParamError(key, f"must be >= {bound}, got {value}")


def _check_patch(key: str, patch_size: int, scale: int) -> None:
    _at_least("scale", scale, 1)
    if patch_size < scale or patch_size % scale:
        msg = f"must be a positive multiple of the scale {scale}, got {patch_size}"
        raise InvalidParamError(key, msg)


class _ImageStore:
    """Pixels of a list of images by position: all decoded up front when cached, else on demand.

    Cached images that cannot be decoded fail or are left out (``unreadable``); a read on demand
    that fails raises :class:`UnreadableFileError` naming the file.
    """

    def __init__(
        self,
        headers: Sequence[ImageHeader],
        color: ColorMode,
        *,
        cache: bool,
        unreadable: UnreadablePolicy = "fail",
    ) -> None:
        self.color = color
        self._cached: list[PixelArray] | None = None
        if cache:
            by_path = {header.path: header for header in headers}
            decoded = open_readable(
                [header.path for header in headers],
                lambda path: (by_path[path], read_image_array(path, color)),
                unreadable,
                "image",
            )
            headers = [header for header, _ in decoded]
            self._cached = [pixels for _, pixels in decoded]
        self.headers = list(headers)
        if not self.headers:
            msg = "every image of the dataset is unreadable"
            raise DataError(msg)
        # Tiles of one image come in a row, so remembering the last decode avoids re-decoding it.
        self._last: tuple[int, PixelArray] | None = None

    def __len__(self) -> int:
        return len(self.headers)

    def pixels(self, position: int) -> PixelArray:
        if self._cached is not None:
            return self._cached[position]
        if self._last is not None and self._last[0] == position:
            return self._last[1]
        header = self.headers[position]
        with reading(header.path):
            array = read_image_array(header.path, self.color)
        if array.shape[1:] != (header.height, header.width):
            msg = f"image {header.path} changed size since it was probed ({header.size_text})"
            raise DataError(msg)
        self._last = (position, array)
        return array


def _probe(
    paths: Sequence[str | Path], what: str, unreadable: UnreadablePolicy
) -> tuple[list[ImageHeader], float]:
    if not paths:
        msg = f"no images given for the {what} dataset"
        raise DataError(msg)
    headers = open_readable([Path(path) for path in paths], probe_image, unreadable, "image")
    if not headers:
        msg = f"every image of the {what} dataset is unreadable"
        raise DataError(msg)
    return headers, common_data_range(headers)


def _crop(pixels: PixelArray, top: int, left: int, size: int) -> Tensor:
    window = pixels[:, top : top + size, left : left + size]
    return torch.from_numpy(window.astype(np.float32))


class HRImageDataset(EpochKeyed, Dataset[Sample]):
    """Training pairs: a random ``patch_size`` HR crop per item and its degraded LR.

    ``len`` is ``samples_per_epoch``. Item ``index`` of epoch ``e`` uses image
    ``(e * samples_per_epoch + index) % len(paths)``: every image is used equally within an epoch,
    and when there are more images than samples per epoch, later epochs move on to the others
    instead of never reaching them. Call :meth:`set_epoch` each epoch for fresh crops; the epoch
    lives in shared memory, so DataLoader workers (persistent ones too) see it. ``data_range`` is
    255 or 65535 from the images' bit depth.
    """

    def __init__(
        self,
        paths: Sequence[str | Path],
        scale: int,
        patch_size: int,
        color: ColorMode = "rgb",
        degradation: DegradationMode = "bicubic",
        augment: bool = True,
        samples_per_epoch: int = 512,
        seed: int = 0,
        cache: bool = False,
        *,
        quantise: bool = True,
        unreadable: UnreadablePolicy = "fail",
    ) -> None:
        _check_patch("patch_size", patch_size, scale)
        check_mode(degradation, 2)
        _at_least("samples_per_epoch", samples_per_epoch, 1)
        _at_least("seed", seed, 0)
        headers, self.data_range = _probe(paths, "training", unreadable)
        for header in headers:
            if min(header.width, header.height) < patch_size:
                msg = (
                    f"image {header.path} is {header.size_text} pixels, smaller than the "
                    f"training patch of {patch_size}x{patch_size}"
                )
                raise DataError(msg)
        self.scale = scale
        self.patch_size = patch_size
        self.channels = COLOR_CHANNELS[color]
        self.degradation = degradation
        self.augment = augment
        self.samples_per_epoch = samples_per_epoch
        self.seed = seed
        self.quantise = quantise
        self._store = _ImageStore(headers, color, cache=cache, unreadable=unreadable)
        # Shared memory, so that set_epoch in the main process reaches DataLoader workers.
        self._epoch = SharedEpoch()

    def __len__(self) -> int:
        return self.samples_per_epoch

    def source_index(self, index: int) -> int:
        """Position in ``paths`` of the image item ``index`` of the current epoch is cut from."""
        return self._source_at(self.epoch, index)

    def _source_at(self, epoch: int, index: int) -> int:
        return (epoch * self.samples_per_epoch + index) % len(self._store)

    def __getitem__(self, index: int) -> Sample:
        if not 0 <= index < self.samples_per_epoch:
            msg = f"index {index} out of range for {self.samples_per_epoch} samples per epoch"
            raise IndexError(msg)
        epoch = self.epoch
        generator = item_generator(self.seed, epoch, index)
        pixels = self._store.pixels(self._source_at(epoch, index))
        _, height, width = pixels.shape
        top = int(torch.randint(0, height - self.patch_size + 1, (1,), generator=generator))
        left = int(torch.randint(0, width - self.patch_size + 1, (1,), generator=generator))
        hr = _crop(pixels, top, left, self.patch_size)
        if self.augment:
            hr = DihedralTransform.random(2, generator)(hr)
        lr = degrade(hr, self.scale, self.degradation, self.data_range, quantise=self.quantise)
        return {"lr": lr, "hr": hr}


class HRTileDataset(Dataset[Sample]):
    """Validation pairs: every whole ``tile_size`` HR tile of each image, row by row, and its LR.

    Tiles do not overlap; the strips at the right and bottom edges that cannot hold a whole tile are
    left out. Deterministic: no randomness, no augmentation.
    """

    def __init__(
        self,
        paths: Sequence[str | Path],
        scale: int,
        tile_size: int,
        color: ColorMode = "rgb",
        degradation: DegradationMode = "bicubic",
        cache: bool = False,
        *,
        quantise: bool = True,
        unreadable: UnreadablePolicy = "fail",
    ) -> None:
        _check_patch("val_patch_size", tile_size, scale)
        check_mode(degradation, 2)
        headers, self.data_range = _probe(paths, "validation", unreadable)
        self._store = _ImageStore(headers, color, cache=cache, unreadable=unreadable)
        self.tiles: list[tuple[int, int, int]] = []
        for position, header in enumerate(self._store.headers):
            if min(header.width, header.height) < tile_size:
                msg = (
                    f"validation image {header.path} is {header.size_text} pixels, smaller than "
                    f"one validation tile of {tile_size}x{tile_size}"
                )
                raise DataError(msg)
            rows = range(0, header.height - tile_size + 1, tile_size)
            cols = range(0, header.width - tile_size + 1, tile_size)
            self.tiles.extend((position, top, left) for top in rows for left in cols)
        self.scale = scale
        self.tile_size = tile_size
        self.channels = COLOR_CHANNELS[color]
        self.degradation = degradation
        self.quantise = quantise

    def __len__(self) -> int:
        return len(self.tiles)

    def source_index(self, index: int) -> int:
        """Position in ``paths`` of the image tile ``index`` is cut from."""
        return self.tiles[index][0]

    def __getitem__(self, index: int) -> Sample:
        position, top, left = self.tiles[index]
        hr = _crop(self._store.pixels(position), top, left, self.tile_size)
        lr = degrade(hr, self.scale, self.degradation, self.data_range, quantise=self.quantise)
        return {"lr": lr, "hr": hr}
