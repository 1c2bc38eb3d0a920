"""SRDataModule: batch shapes, seeded per-epoch shuffling, epochs reaching datasets and workers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import pytest
import torch
from torch import nn

from gan_engine.data.datamodule import EpochShuffleSampler, SRDataModule, default_workers
from gan_engine.data.photos.params import RGBFolderParams
from gan_engine.data.photos.selectors import RGBFolderSelector
from gan_engine.errors import DataError, InvalidParamError


def selector(folder: Path, **overrides: Any) -> RGBFolderSelector:
    settings: dict[str, Any] = {
        "patch_size": 16,
        "val_patch_size": 24,
        "samples_per_epoch": 12,
        "cache": True,
    }
    settings.update(overrides)
    return RGBFolderSelector(2, 3, 4, RGBFolderParams(root=str(folder), **settings))


def test_batches_have_lr_and_hr_shapes(photo_folder: Path) -> None:
    module = SRDataModule(selector(photo_folder), batch_size=5, val_batch_size=4)
    module.setup("fit")
    train = list(module.train_dataloader())
    assert len(train) == 2  # 12 samples, drop_last
    assert train[0]["lr"].shape == (5, 3, 4, 4)
    assert train[0]["hr"].shape == (5, 3, 16, 16)
    val = list(module.val_dataloader())
    assert sum(batch["hr"].shape[0] for batch in val) == 12  # 3x2 tiles in d.png and e.png
    assert val[0]["lr"].shape == (4, 3, 6, 6)
    assert val[0]["hr"].shape == (4, 3, 24, 24)


def test_setup_builds_datasets_once(photo_folder: Path) -> None:
    module = SRDataModule(selector(photo_folder), batch_size=2, val_batch_size=2)
    module.setup("fit")
    train_set, val_set = module.train_set, module.val_set
    module.setup("fit")
    module.setup("validate")
    assert module.train_set is train_set
    assert module.val_set is val_set


@pytest.mark.parametrize(
    ("overrides", "key"),
    [({"batch_size": 0}, "batch_size"), ({"val_batch_size": 0}, "val_batch_size")],
)
def test_batch_sizes_are_validated(photo_folder: Path, overrides: Any, key: str) -> None:
    settings = {"batch_size": 2, "val_batch_size": 2, **overrides}
    with pytest.raises(InvalidParamError) as caught:
        SRDataModule(selector(photo_folder), **settings)
    assert caught.value.key == key


def test_too_few_samples_for_one_batch(photo_folder: Path) -> None:
    module = SRDataModule(selector(photo_folder), batch_size=13, val_batch_size=2)
    with pytest.raises(DataError, match="fewer than one batch"):
        module.train_dataloader()


class Recorder:
    def __init__(self) -> None:
        self.epochs: list[int] = []

    def set_epoch(self, epoch: int) -> None:
        self.epochs.append(epoch)


def test_sampler_is_a_seeded_permutation_per_epoch() -> None:
    target = Recorder()
    sampler = EpochShuffleSampler(20, seed=1, target=target)
    first = list(sampler)
    assert sorted(first) == list(range(20))
    assert list(EpochShuffleSampler(20, seed=1)) == first
    sampler.set_epoch(1)
    assert target.epochs == [1]
    second = list(sampler)
    assert second != first
    sampler.set_epoch(0)
    assert list(sampler) == first


def _epoch_batches(module: SRDataModule, epoch: int) -> list[torch.Tensor]:
    loader = module.train_dataloader()
    loader.batch_sampler.sampler.set_epoch(epoch)  # type: ignore[union-attr]
    return [batch["hr"] for batch in loader]


def test_epochs_reach_persistent_workers(photo_folder: Path) -> None:
    plain = SRDataModule(selector(photo_folder), batch_size=4, val_batch_size=4)
    plain.setup("fit")
    expected = {epoch: _epoch_batches(plain, epoch) for epoch in (0, 1)}
    assert not torch.equal(expected[0][0], expected[1][0])

    workers = SRDataModule(selector(photo_folder), 4, 4, num_workers=2, persistent_workers=True)
    workers.setup("fit")
    loader = workers.train_dataloader()
    for epoch in (0, 1):
        loader.batch_sampler.sampler.set_epoch(epoch)  # type: ignore[union-attr]
        got = [batch["hr"] for batch in loader]
        assert all(torch.equal(a, b) for a, b in zip(got, expected[epoch], strict=True))


class HashingModule(pl.LightningModule):
    """Records a fingerprint of every training batch, per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(()))
        self.seen: dict[int, list[float]] = {}

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        self.seen.setdefault(self.current_epoch, []).append(float(batch["hr"].sum()))
        return self.weight * 0.0

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_lightning_sets_the_epoch_each_epoch(photo_folder: Path, tmp_path: Path) -> None:
    module = SRDataModule(selector(photo_folder), batch_size=4, val_batch_size=4)
    model = HashingModule()
    trainer = pl.Trainer(
        max_epochs=2,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
        default_root_dir=tmp_path,
    )
    trainer.fit(model, datamodule=module)
    assert module.train_set is not None
    assert module.train_set.epoch == 1  # type: ignore[attr-defined]
    assert model.seen[0] != model.seen[1]
    rerun = SRDataModule(selector(photo_folder), batch_size=4, val_batch_size=4)
    rerun.setup("fit")
    assert [float(b.sum()) for b in _epoch_batches(rerun, 1)] == model.seen[1]


def test_auto_workers_leave_one_core_to_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    for cores, workers in ((1, 1), (2, 1), (3, 2), (16, 4)):
        monkeypatch.setattr("os.sched_getaffinity", lambda _pid, n=cores: set(range(n)))
        assert default_workers() == workers
