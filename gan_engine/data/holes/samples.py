"""Samples with holes: a dataset wrapper that adds a hole mask to every sample of another dataset.

Training masks are drawn from ``numpy.random.default_rng([seed, epoch, index])``: new masks every
epoch, yet the same for a resumed run as for an uninterrupted one, in every DataLoader worker and on
every rank. Validation masks (``fixed``) come from ``default_rng([seed, index])`` as
:func:`gan_engine.masks.validation.validation_holes` draws them: the same in every run and epoch.
The holes are at the input's (``lr``'s) resolution, ``[1, *S]``, 1 = missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from torch.utils.data import Dataset

from gan_engine.data.epochs import EpochKeyed, SharedEpoch
from gan_engine.data.unreadable import policy_of
from gan_engine.errors import DataError
from gan_engine.protocols import DatasetSelector, MaskGenerator
from gan_engine.types import Sample


class HoleSamples(EpochKeyed, Dataset[Sample]):
    """``dataset``'s samples with ``holes`` drawn by ``masks``.

    Args:
        dataset: the samples (``lr`` ``[C, *S]`` and ``hr``); its ``set_epoch`` is forwarded.
        masks: the mask generator (it may read the sample, e.g. its nodata ``mask``).
        seed: the seed of every mask.
        fixed: draw the same mask for an index in every epoch (validation).
    """

    def __init__(
        self, dataset: Dataset[Sample], masks: MaskGenerator, seed: int, *, fixed: bool
    ) -> None:
        self.dataset = dataset
        self.masks = masks
        self.seed = seed
        self.fixed = fixed
        # Shared memory: persistent DataLoader workers see the epoch the sampler sets.
        self._epoch = SharedEpoch()

    def __len__(self) -> int:
        """As many samples as the wrapped dataset."""
        return len(self.dataset)  # type: ignore[arg-type]

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch of the training masks; the wrapped dataset gets it too."""
        self._epoch.set(epoch)
        forward = getattr(self.dataset, "set_epoch", None)
        if callable(forward):
            forward(epoch)

    def __getitem__(self, index: int) -> Sample:
        """The wrapped sample with ``holes`` ``[1, *S]`` added.

        Raises:
            DataError: the mask does not match the sample's input or marks every pixel missing.
        """
        sample: Any = dict(self.dataset[index])
        shape = tuple(sample["lr"].shape[1:])
        key = [self.seed, index] if self.fixed else [self.seed, self.epoch, index]
        holes = self.masks(shape, np.random.default_rng(key), sample)
        if tuple(holes.shape) != (1, *shape):
            msg = (
                f"mask generator {self.masks.name!r} drew holes of shape {tuple(holes.shape)} for "
                f"an input of shape {tuple(sample['lr'].shape)}; expected {(1, *shape)}"
            )
            raise DataError(msg)
        if bool((holes > 0.5).all()):
            msg = f"mask generator {self.masks.name!r} marked every pixel of sample {index} missing"
            raise DataError(msg)
        sample["holes"] = holes
        result: Sample = sample
        return result


class HoleSelector:
    """A dataset selector whose samples carry holes.

    ``selector``'s datasets come wrapped in :class:`HoleSamples`: training masks drawn per epoch,
    validation masks fixed.
    """

    def __init__(self, selector: DatasetSelector, masks: MaskGenerator, seed: int) -> None:
        self.selector = selector
        self.unreadable, self.unreadable_files = policy_of(selector)
        self.masks = masks
        self.seed = seed
        self.spatial_dims = selector.spatial_dims
        self.channels = selector.channels
        self.scale = selector.scale
        self.data_range = selector.data_range

    def train_dataset(self) -> Dataset[Sample]:
        """The training split with holes drawn per epoch."""
        return HoleSamples(self.selector.train_dataset(), self.masks, self.seed, fixed=False)

    def val_dataset(self) -> Dataset[Sample]:
        """The validation split with fixed holes."""
        return HoleSamples(self.selector.val_dataset(), self.masks, self.seed, fixed=True)
