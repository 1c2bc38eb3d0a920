"""The resumable training loader: its state, and which pass a restored state applies to."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import BatchSampler, TensorDataset

from gan_engine.data.datamodule import EpochShuffleSampler, SRDataModule
from gan_engine.data.resumable import ResumableBatchSampler, ResumableDataLoader


def _loader(length: int = 10, batch_size: int = 2) -> ResumableDataLoader:
    data = TensorDataset(torch.arange(length))
    sampler = EpochShuffleSampler(length, seed=5)
    return ResumableDataLoader(
        data, batch_sampler=ResumableBatchSampler(sampler, batch_size, drop_last=True)
    )


def _epoch(loader: ResumableDataLoader, epoch: int) -> list[list[int]]:
    loader.batch_sampler.sampler.set_epoch(epoch)  # type: ignore[union-attr]
    return [batch[0].tolist() for batch in loader]


def test_the_batch_sampler_skips_batches_for_one_pass_only() -> None:
    batches = ResumableBatchSampler(range(7), batch_size=2, drop_last=False)
    batches.skip_next_pass(2)
    assert list(batches) == [[4, 5], [6]]
    assert list(batches) == [[0, 1], [2, 3], [4, 5], [6]]
    with pytest.raises(ValueError, match="negative"):
        batches.skip_next_pass(-1)


def test_the_state_counts_the_batches_served_in_the_epoch() -> None:
    loader = _loader()
    loader.batch_sampler.sampler.set_epoch(3)  # type: ignore[union-attr]
    served = iter(loader)
    next(served)
    next(served)
    assert loader.state_dict() == {"epoch": 3, "served": 2}
    assert len(loader) == 5


def test_a_restored_state_serves_the_rest_of_its_epoch() -> None:
    whole = _epoch(_loader(), 1)
    resumed = _loader()
    resumed.load_state_dict({"epoch": 1, "served": 2})
    iter(resumed)  # Lightning creates an iterator before it sets the epoch: that pass never runs
    assert _epoch(resumed, 1) == whole[2:]
    assert resumed.state_dict() == {"epoch": 1, "served": 5}
    assert _epoch(resumed, 1) == whole  # the next pass of the same epoch is whole again


def test_a_state_from_an_epoch_end_or_another_epoch_skips_nothing() -> None:
    loader = _loader()
    loader.load_state_dict({"epoch": 0, "served": 5})  # written after epoch 0's last batch
    assert _epoch(loader, 1) == _epoch(_loader(), 1)
    loader.load_state_dict({"epoch": 0, "served": 2})
    assert len(_epoch(loader, 1)) == 5


def test_a_malformed_state_is_refused() -> None:
    with pytest.raises(ValueError, match="not an epoch and a batch count"):
        _loader().load_state_dict({"epoch": "one", "served": 2})
    with pytest.raises(ValueError, match="not an epoch and a batch count"):
        _loader().load_state_dict({"served": -1})


def test_resuming_mid_epoch_needs_the_resumable_batch_sampler() -> None:
    data = TensorDataset(torch.arange(6))
    loader = ResumableDataLoader(data, batch_sampler=BatchSampler(range(6), 2, drop_last=True))
    loader.load_state_dict({"epoch": None, "served": 1})
    with pytest.raises(TypeError, match="ResumableBatchSampler"):
        next(iter(loader))


def test_the_datamodule_train_loader_is_resumable() -> None:
    class Selector:
        def train_dataset(self) -> TensorDataset:
            return TensorDataset(torch.arange(8))

        def val_dataset(self) -> TensorDataset:
            return TensorDataset(torch.arange(2))

    loader = SRDataModule(Selector(), batch_size=2, val_batch_size=2).train_dataloader()  # type: ignore[arg-type]
    assert isinstance(loader, ResumableDataLoader)
    assert isinstance(loader.batch_sampler, ResumableBatchSampler)
    assert loader.batch_sampler.batch_size == 2
    assert loader.batch_sampler.drop_last
