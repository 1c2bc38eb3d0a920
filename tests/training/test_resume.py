"""Resuming at an epoch boundary or mid-epoch continues bit for bit as the uninterrupted run."""

from __future__ import annotations

import random
from pathlib import Path

import lightning.pytorch as pl
import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader

from gan_engine.data.datamodule import EpochShuffleSampler
from gan_engine.data.resumable import ResumableBatchSampler, ResumableDataLoader
from gan_engine.losses.pixel import L1Loss
from gan_engine.protocols import LossContext
from gan_engine.training.callbacks.checkpoints import GeneratorStepCheckpoint, LastCheckpoint
from gan_engine.training.checkpoint_io import AtomicCheckpointIO
from gan_engine.training.config import EMAConfig, SchedulerConfig
from gan_engine.training.terms import LossTerm
from tests.training.conftest import RandomPairs


class NoisyL1:
    """L1 on inputs jittered with torch, NumPy and Python random numbers (all three must resume)."""

    def __call__(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        jitter = torch.rand(()) + float(np.random.rand()) + random.random()
        return (sr - hr).abs().mean() * (1.0 + 0.01 * jitter)


def _loaders() -> tuple[DataLoader, DataLoader]:  # type: ignore[type-arg]
    # As SRDataModule does: the sampler shuffles by (seed, epoch), so a resumed run sees the same order
    # (a RandomSampler's depends on how often its generator was used), the loader has its own
    # generator, so creating its iterator each epoch draws nothing from torch's global one, and it
    # records the batches it served, so a mid-epoch checkpoint resumes with the epoch's remaining ones.
    data = RandomPairs()
    sampler = EpochShuffleSampler(len(data), seed=3)
    own = torch.Generator().manual_seed(3)
    batches = ResumableBatchSampler(sampler, batch_size=2, drop_last=True)
    train = ResumableDataLoader(data, batch_sampler=batches, generator=own)
    return train, DataLoader(data, batch_size=4)


def _run(  # type: ignore[no-untyped-def]
    make_module,
    folder: Path,
    epochs: int,
    resume: Path | None = None,
    callbacks: list[pl.Callback] | None = None,
):
    pl.seed_everything(0, verbose=False)
    module = make_module(
        terms=[
            LossTerm(name="l1", loss=L1Loss(), weight=1.0),
            LossTerm(name="noisy", loss=NoisyL1(), weight=0.5),  # type: ignore[arg-type]
        ],
        pretrain_steps=2,
        d_update_interval=2,
        accumulate_batches=2,
        ema=EMAConfig(enabled=True, decay=0.9),
        generator_scheduler=SchedulerConfig(name="cosine", warmup_steps=1, total_steps=6),
        discriminator_scheduler=SchedulerConfig(
            name="plateau", monitor="val/generator_steps", mode="min", patience=0
        ),
    )
    trainer = pl.Trainer(
        max_epochs=epochs,
        limit_val_batches=1,
        num_sanity_val_steps=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        accelerator="cpu",
        callbacks=[LastCheckpoint(folder), *(callbacks or [])],
        enable_checkpointing=False,
        default_root_dir=folder,
        plugins=[AtomicCheckpointIO()],
    )
    train, val = _loaders()
    trainer.fit(module, train, val, ckpt_path=resume, weights_only=True)
    return module, trainer


def _same(a: dict[str, Tensor], b: dict[str, Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _assert_same_run(resumed, resumed_trainer, whole, whole_trainer) -> None:  # type: ignore[no-untyped-def]
    assert (resumed.generator_steps, resumed.discriminator_steps, resumed.batches_seen) == (
        whole.generator_steps,
        whole.discriminator_steps,
        whole.batches_seen,
    )
    assert whole.generator_steps == 6
    assert _same(resumed.generator.state_dict(), whole.generator.state_dict())
    assert _same(resumed.discriminator.state_dict(), whole.discriminator.state_dict())
    assert _same(resumed.ema.state_dict(), whole.ema.state_dict())
    for a, b in zip(resumed_trainer.optimizers, whole_trainer.optimizers, strict=True):
        assert a.param_groups[0]["lr"] == b.param_groups[0]["lr"]
        for sa, sb in zip(a.state.values(), b.state.values(), strict=True):
            assert all(torch.equal(sa[k], sb[k]) for k in sa)
    plateau = resumed_trainer.lr_scheduler_configs[1].scheduler
    assert plateau.plateau_scale == whole_trainer.lr_scheduler_configs[1].scheduler.plateau_scale
    assert plateau.plateau_scale < 1.0  # the plateau schedule did act, before and after resuming


def test_resume_at_an_epoch_boundary_is_bit_exact(make_module, tmp_path: Path) -> None:
    whole, whole_trainer = _run(make_module, tmp_path / "whole", epochs=3)
    _run(make_module, tmp_path / "split", epochs=2)
    resumed, resumed_trainer = _run(
        make_module, tmp_path / "split", epochs=3, resume=tmp_path / "split" / "last.ckpt"
    )
    _assert_same_run(resumed, resumed_trainer, whole, whole_trainer)


def test_resume_in_the_middle_of_an_epoch_is_bit_exact(make_module, tmp_path: Path) -> None:
    # 4 batches an epoch, a generator step every 2 batches: step 3 ends the 2nd batch of epoch 1.
    whole, whole_trainer = _run(make_module, tmp_path / "whole", epochs=3)
    saver = GeneratorStepCheckpoint(tmp_path / "split", every_n_steps=3, save_last=False)
    _run(make_module, tmp_path / "split", epochs=3, callbacks=[saver])
    checkpoint = tmp_path / "split" / "step0000003.ckpt"
    state = torch.load(checkpoint, weights_only=True)
    assert state["loops"]["fit_loop"]["state_dict"]["combined_loader"] == [
        {"epoch": 1, "served": 2}
    ]
    resumed, resumed_trainer = _run(make_module, tmp_path / "resumed", epochs=3, resume=checkpoint)
    _assert_same_run(resumed, resumed_trainer, whole, whole_trainer)


def test_resume_restores_the_rng_states_after_the_sanity_check(make_module, tmp_path: Path) -> None:
    _run(make_module, tmp_path, epochs=1)
    checkpoint = torch.load(tmp_path / "last.ckpt", weights_only=True)
    module = make_module()
    module.on_load_checkpoint(checkpoint)
    torch.manual_seed(123)  # what the resumed run does before training starts is overwritten
    module.on_train_start()
    state = checkpoint["gan_engine"]["rng"]
    assert torch.equal(torch.get_rng_state(), state["torch"])
    assert random.getstate()[1][:3] == tuple(state["python"]["words"][:3].tolist())
