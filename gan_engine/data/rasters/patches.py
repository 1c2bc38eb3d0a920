"""Training samples: random windows of raster scenes, read one window at a time.

Like :class:`~gan_engine.data.photos.datasets.HRImageDataset` for photos, but windowed: an item reads only its
patch from disk (rasterio window or ``.npy`` memory map), so scenes may be larger than memory.
Randomness is keyed by ``(seed, epoch, index)``; item ``index`` of epoch ``e`` uses scene
``(e · samples_per_epoch + index) % len(scenes)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.utils.data import Dataset

from gan_engine.data.epochs import EpochKeyed, SharedEpoch
from gan_engine.data.rasters.samples import RasterSample, WindowReader
from gan_engine.data.rasters.scenes import Scene, check_min_size
from gan_engine.data.rasters.tiling import check_tiling
from gan_engine.data.seeding import item_generator
from gan_engine.data.transforms.augment import DihedralTransform
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.io.raster_header import PixelWindow

MAX_DRAWS = 8
"""Windows drawn per item at most while looking for one with enough valid pixels."""


class RasterPatchDataset(EpochKeyed, Dataset[RasterSample]):
    """``samples_per_epoch`` random ``patch_size`` HR windows (and their LR) per epoch.

    Args:
        scenes: the scenes (HR-only or paired).
        reader: reads and prepares a window (degradation, nodata, metadata).
        patch_size: HR window side, a multiple of the scale.
        samples_per_epoch: items per epoch.
        augment: random flips and quarter turns.
        seed: seed of windows, augmentation and noise.
        min_valid_fraction: redraw a window (up to :data:`MAX_DRAWS` times, then keep the last) while
            fewer than this fraction of its HR pixels are valid.
    """

    def __init__(
        self,
        scenes: Sequence[Scene],
        reader: WindowReader,
        patch_size: int,
        samples_per_epoch: int,
        *,
        augment: bool = True,
        seed: int = 0,
        min_valid_fraction: float = 0.0,
    ) -> None:
        check_tiling(patch_size, patch_size, reader.scale, "patch_size")
        if samples_per_epoch < 1:
            key, msg = "samples_per_epoch", f"must be >= 1, got {samples_per_epoch}"
            raise InvalidParamError(key, msg)
        if not 0.0 <= min_valid_fraction <= 1.0:
            key, msg = "min_valid_fraction", f"must be in [0, 1], got {min_valid_fraction}"
            raise InvalidParamError(key, msg)
        if not scenes:
            msg = "no scenes given for the training dataset"
            raise DataError(msg)
        check_min_size(scenes, patch_size, "training patch")
        self.scenes = list(scenes)
        self.reader = reader
        self.patch_size = patch_size
        self.samples_per_epoch = samples_per_epoch
        self.augment = augment
        self.seed = seed
        self.min_valid_fraction = min_valid_fraction
        self._epoch = SharedEpoch()

    def __len__(self) -> int:
        return self.samples_per_epoch

    def _window(self, scene: Scene, generator: torch.Generator) -> PixelWindow:
        # Paired scenes need windows on whole LR pixels: draw the start on the LR grid.
        step = self.reader.scale if scene.lr is not None else 1
        size = self.patch_size
        rows = (scene.hr.height - size) // step + 1
        cols = (scene.hr.width - size) // step + 1
        top = int(torch.randint(0, rows, (1,), generator=generator)) * step
        left = int(torch.randint(0, cols, (1,), generator=generator)) * step
        return PixelWindow(top, left, size, size)

    def source_index(self, index: int) -> int:
        """Position in ``scenes`` of the scene item ``index`` of the current epoch is cut from."""
        return self._source_at(self.epoch, index)

    def _source_at(self, epoch: int, index: int) -> int:
        return (epoch * self.samples_per_epoch + index) % len(self.scenes)

    def __getitem__(self, index: int) -> RasterSample:
        if not 0 <= index < self.samples_per_epoch:
            msg = f"index {index} out of range for {self.samples_per_epoch} samples per epoch"
            raise IndexError(msg)
        epoch = self.epoch
        generator = item_generator(self.seed, epoch, index)
        scene = self.scenes[self._source_at(epoch, index)]
        transform = DihedralTransform.random(2, generator) if self.augment else None
        sample: RasterSample | None = None
        for _ in range(MAX_DRAWS):
            sample = self.reader.read(scene, self._window(scene, generator), generator, transform)
            if float(sample["mask"].mean()) >= self.min_valid_fraction:
                break
        if sample is None:  # MAX_DRAWS >= 1; this narrows the type
            msg = "no window was drawn"
            raise RuntimeError(msg)
        return sample
