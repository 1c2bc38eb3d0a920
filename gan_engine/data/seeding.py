"""Seeding shared by every dataset: randomness keyed by ``(seed, epoch, index)``.

:func:`item_generator` gives the private ``torch.Generator`` a dataset draws an item's crop and
augmentation from, so an item is the same whichever worker computes it and whatever ran before.
:class:`SeededSamples` wraps a dataset and adds each sample's ``degradation_seed``.

A batch degradation pipeline draws all of a sample's randomness from its ``degradation_seed``, so the
same item of the same epoch is degraded the same way on a rerun, on a resumed run, and whatever batch
it lands in. Validation keeps epoch 0 forever, so its pairs never change.
"""

from __future__ import annotations

from collections.abc import Sized

import numpy as np
import torch
from torch.utils.data import Dataset

from gan_engine.data.epochs import EpochAware, EpochKeyed, SharedEpoch
from gan_engine.types import Sample


def item_generator(seed: int, epoch: int, index: int) -> torch.Generator:
    """A CPU generator seeded from ``(seed, epoch, index)``; nearby keys give unrelated streams."""
    state = np.random.SeedSequence([seed, epoch, index]).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed(int(state[0]) << 32 | int(state[1]))


def item_seed(seed: int, epoch: int, index: int) -> int:
    """The 63-bit degradation seed of item ``index`` in ``epoch``."""
    state = np.random.SeedSequence([seed, epoch, index, 0xDE64]).generate_state(2)
    return (int(state[0]) << 31 ^ int(state[1])) & 0x7FFFFFFFFFFFFFFF


class SeededSamples(EpochKeyed, Dataset[Sample]):
    """``dataset``'s samples with a ``degradation_seed``; forwards ``set_epoch`` to ``dataset``.

    Args:
        dataset: a map-style dataset of samples.
        seed: the run's seed.
    """

    def __init__(self, dataset: Dataset[Sample], seed: int) -> None:
        self.dataset = dataset
        self.seed = seed
        self._epoch = SharedEpoch()

    def __len__(self) -> int:
        if not isinstance(self.dataset, Sized):
            msg = f"the dataset {type(self.dataset).__name__} has no len(); map-style datasets only"
            raise TypeError(msg)
        return len(self.dataset)

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch here and in the wrapped dataset."""
        super().set_epoch(epoch)
        if isinstance(self.dataset, EpochAware):
            self.dataset.set_epoch(epoch)

    def __getitem__(self, index: int) -> Sample:
        sample = self.dataset[index]
        seed = item_seed(self.seed, self.epoch, index)
        sample["degradation_seed"] = torch.tensor(seed, dtype=torch.int64)
        return sample
