"""The Lightning DataModule that turns any :class:`DatasetSelector` into train and val loaders.

Epochs reach the datasets through the train sampler: Lightning calls ``sampler.set_epoch(epoch)``
at the start of every training epoch (also through its DDP sampler wrapper), and
:class:`EpochShuffleSampler` reshuffles with ``(seed, epoch)`` and forwards the epoch to the
dataset's ``set_epoch`` when it has one, so crops change from epoch to epoch yet repeat exactly on a
rerun. Datasets keep their epoch in shared memory, so persistent workers see it too. The train
loader is a :class:`ResumableDataLoader`: a checkpoint written mid-epoch resumes with the epoch's
remaining batches. Datasets of a selector whose policy is ``unreadable: skip`` are wrapped in
:class:`~gan_engine.data.unreadable.SkipUnreadable` (outermost, so a replaced item keeps its prompt
and mask), and the files skipped are summarised at the end of fit.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sized

import lightning.pytorch as pl
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from gan_engine.data.collate import collate_samples
from gan_engine.data.epochs import EpochAware
from gan_engine.data.resumable import ResumableBatchSampler, ResumableDataLoader
from gan_engine.data.seeding import SeededSamples
from gan_engine.data.unreadable import guard, policy_of
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.protocols import DatasetSelector, DegradationPipeline
from gan_engine.types import Sample

__all__ = ["EpochAware", "EpochShuffleSampler", "SRDataModule", "default_workers"]

_LOG = logging.getLogger(__name__)


def _epoch_seed(seed: int, epoch: int) -> int:
    state = np.random.SeedSequence([seed, epoch]).generate_state(2, dtype=np.uint32)
    return int(state[0]) << 32 | int(state[1])


class EpochShuffleSampler(Sampler[int]):
    """A permutation of ``range(length)`` drawn from ``(seed, epoch)``; tells ``target`` the epoch.

    Reproducible per epoch (a resumed run gets the same order as an uninterrupted one), unlike a
    ``RandomSampler`` whose order depends on how often its generator was used before.
    """

    def __init__(self, length: int, seed: int, target: object | None = None) -> None:
        super().__init__()
        self.length = length
        self.seed = seed
        self.epoch = 0
        self.target = target

    def set_epoch(self, epoch: int) -> None:
        """Use ``epoch``'s permutation and tell the target dataset."""
        self.epoch = epoch
        if isinstance(self.target, EpochAware):
            self.target.set_epoch(epoch)

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator().manual_seed(_epoch_seed(self.seed, self.epoch))
        yield from torch.randperm(self.length, generator=generator).tolist()

    def __len__(self) -> int:
        return self.length


def default_workers() -> int:
    """Loader workers for ``num_workers: auto``: one per usable CPU core beyond the first, 1 to 4."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(4, max(1, (cores or 1) - 1))


def _sized(dataset: Dataset[Sample], what: str) -> int:
    if not isinstance(dataset, Sized):
        msg = f"the {what} dataset {type(dataset).__name__} has no len(); map-style datasets only"
        raise TypeError(msg)
    return len(dataset)


def _at_least(key: str, value: int, bound: int) -> None:
    if value < bound:
        raise InvalidParamError(key, f"must be >= {bound}, got {value}")


class SRDataModule(pl.LightningDataModule):
    """Loaders of ``{"lr": [B, C, *S], "hr": [B, C, *(S * scale)]}`` batches in sensor units.

    The train loader shuffles with :class:`EpochShuffleSampler` and drops the last partial batch;
    the val loader keeps order and every sample. Datasets are built once, in the first ``setup``.
    Both collate with :func:`~gan_engine.data.collate.collate_samples` (conditioning tokens padded,
    metadata kept as a list of dicts).

    With a ``degradation`` pipeline, samples carry a ``degradation_seed`` (see
    :class:`~gan_engine.data.seeding.SeededSamples`) and every batch's ``lr`` (and ``hr``, for
    sharpened or pooled targets) is remade from ``hr`` by the pipeline after the batch reached its
    device (``on_after_batch_transfer``), so the pipeline runs batched on the GPU when training there.
    """

    def __init__(
        self,
        selector: DatasetSelector,
        batch_size: int,
        val_batch_size: int,
        num_workers: int = 0,
        seed: int = 0,
        pin_memory: bool = False,
        persistent_workers: bool = False,
        degradation: DegradationPipeline | None = None,
    ) -> None:
        super().__init__()
        _at_least("batch_size", batch_size, 1)
        _at_least("val_batch_size", val_batch_size, 1)
        _at_least("num_workers", num_workers, 0)
        _at_least("seed", seed, 0)
        self.selector = selector
        self.batch_size = batch_size
        self.val_batch_size = val_batch_size
        self.num_workers = num_workers
        self.seed = seed
        self.pin_memory = pin_memory
        # Persistent workers need workers; DataLoader rejects the flag with num_workers=0.
        self.persistent_workers = persistent_workers and num_workers > 0
        self.degradation = degradation
        self.unreadable, self.unreadable_files = policy_of(selector)
        self.train_set: Dataset[Sample] | None = None
        self.val_set: Dataset[Sample] | None = None

    def setup(self, stage: str) -> None:
        """Build the datasets the stage needs, once."""
        if stage in ("fit", "validate") and self.val_set is None:
            self.val_set = self._seeded(self._guarded(self.selector.val_dataset(), "validation"))
        if stage == "fit":
            self.training_set()

    def training_set(self) -> Dataset[Sample]:
        """The training dataset, built on first use and shared afterwards.

        Fitting a normaliser before training reads the same dataset the loader then serves.
        """
        if self.train_set is None:
            self.train_set = self._seeded(self._guarded(self.selector.train_dataset(), "training"))
        return self.train_set

    def _guarded(self, dataset: Dataset[Sample], what: str) -> Dataset[Sample]:
        return guard(dataset, self.unreadable, self.unreadable_files, what)

    def teardown(self, stage: str) -> None:
        """At the end of fit, log which files were skipped as unreadable (``unreadable: skip``)."""
        summary = self.unreadable_files.summary()
        if stage == "fit" and summary is not None:
            _LOG.warning("%s", summary)

    def _seeded(self, dataset: Dataset[Sample]) -> Dataset[Sample]:
        return dataset if self.degradation is None else SeededSamples(dataset, self.seed)

    def degrade(self, batch: Sample, *, training: bool) -> Sample:
        """Remake ``lr`` (and ``hr``) of a batch with the pipeline; batches without seeds pass."""
        seeds = batch.pop("degradation_seed", None)
        if self.degradation is None or seeds is None:
            return batch
        if training and "mask" in batch and self.degradation.mixes_batches:
            msg = "the degradation pool mixes pairs across batches and cannot carry nodata masks"
            raise DataError(msg)
        batch["lr"], batch["hr"] = self.degradation(batch["hr"], seeds, training=training)
        return batch

    def on_after_batch_transfer(self, batch: Sample, dataloader_idx: int) -> Sample:
        """Run the degradation pipeline on the batch, on its device (training pool only in fit)."""
        training = self.trainer is not None and bool(self.trainer.training)
        return self.degrade(batch, training=training)

    def train_dataloader(self) -> DataLoader[Sample]:
        """Shuffled, seeded, ``drop_last`` batches of ``batch_size``; resumable mid-epoch."""
        if self.train_set is None:
            self.setup("fit")
        dataset = self.train_set
        if dataset is None:  # setup("fit") always builds it; this narrows the type
            msg = "the training dataset was not built"
            raise RuntimeError(msg)
        length = _sized(dataset, "training")
        if length < self.batch_size:
            msg = (
                f"the training dataset has {length} samples per epoch, fewer than one batch of "
                f"{self.batch_size}; raise samples_per_epoch or lower batch_size"
            )
            raise DataError(msg)
        sampler = EpochShuffleSampler(length, self.seed, target=dataset)
        return ResumableDataLoader(
            dataset,
            batch_sampler=ResumableBatchSampler(sampler, self.batch_size, drop_last=True),
            num_workers=self.num_workers,
            pin_memory=self.pin_memory,
            persistent_workers=self.persistent_workers,
            generator=torch.Generator().manual_seed(self.seed),
            collate_fn=collate_samples,
        )

    def val_dataloader(self) -> DataLoader[Sample]:
        """Validation batches of ``val_batch_size`` in dataset order."""
        if self.val_set is None:
            self.setup("validate")
        dataset = self.val_set
        if dataset is None:
            msg = "the validation dataset was not built"
            raise RuntimeError(msg)
        if _sized(dataset, "validation") == 0:
            msg = "the validation dataset is empty"
            raise DataError(msg)
        return DataLoader(
            dataset,
            batch_size=self.val_batch_size,
            shuffle=False,
            drop_last=False,
            collate_fn=collate_samples,
            num_workers=self.num_workers,
            pin_memory=self.pin_memory,
            persistent_workers=self.persistent_workers,
        )
