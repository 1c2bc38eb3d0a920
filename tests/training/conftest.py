"""Tiny real components and data for training-engine tests."""

from __future__ import annotations

from collections.abc import Callable

import lightning.pytorch as pl
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from gan_engine.losses.adversarial import BCEAdversarialLoss
from gan_engine.losses.pixel import L1Loss
from gan_engine.registry import DISCRIMINATORS, GENERATORS, NORMALISERS
from gan_engine.training.config import TrainingConfig
from gan_engine.training.module import GANModule
from gan_engine.training.terms import AdversarialTerm, LossTerm
from gan_engine.types import Sample


class RandomPairs(Dataset[Sample]):
    """Deterministic random LR/HR pairs in 0..255, ``[3, 8, 8]`` and ``[3, 16, 16]``."""

    def __init__(self, count: int = 8) -> None:
        generator = torch.Generator().manual_seed(0)
        self.hr = torch.rand(count, 3, 16, 16, generator=generator) * 255
        self.lr = torch.nn.functional.avg_pool2d(self.hr, 2)

    def __len__(self) -> int:
        return self.hr.shape[0]

    def __getitem__(self, index: int) -> Sample:
        return {"lr": self.lr[index], "hr": self.hr[index]}


def tiny_params(registry_entry):  # type: ignore[no-untyped-def]
    cls = registry_entry.params_cls
    return cls.tiny() if hasattr(cls, "tiny") else cls()


@pytest.fixture
def make_module() -> Callable[..., GANModule]:
    def make(
        adversarial: bool = True, terms: list[LossTerm] | None = None, **config: object
    ) -> GANModule:
        torch.manual_seed(0)
        gen_entry = GENERATORS.get("srresnet")
        generator = gen_entry.factory(
            spatial_dims=2, in_channels=3, out_channels=3, scale=2, params=tiny_params(gen_entry)
        )
        disc = None
        adv = None
        if adversarial:
            disc_entry = DISCRIMINATORS.get("srgan")
            disc = disc_entry.factory(spatial_dims=2, in_channels=3, params=tiny_params(disc_entry))
            adv = AdversarialTerm(name="bce", loss=BCEAdversarialLoss(), weight=0.01)
        norm_entry = NORMALISERS.get("fixed_scale")
        normaliser = norm_entry.factory(channels=3, params=norm_entry.params_cls())
        return GANModule(
            generator=generator,
            discriminator=disc,
            content_terms=terms or [LossTerm(name="l1", loss=L1Loss(), weight=1.0)],
            adversarial_term=adv,
            normaliser=normaliser,
            config=TrainingConfig(**config),  # type: ignore[arg-type]
            data_range=255.0,
            spec={"note": "test"},
        )

    return make


@pytest.fixture
def loaders() -> tuple[DataLoader[Sample], DataLoader[Sample]]:
    data = RandomPairs()
    return DataLoader(data, batch_size=2), DataLoader(data, batch_size=4)


def _fit(
    module: GANModule,
    loaders: tuple[DataLoader[Sample], DataLoader[Sample]],
    batches: int,
    **trainer: object,
) -> pl.Trainer:
    options: dict[str, object] = {
        "max_epochs": 1,
        "limit_train_batches": batches,
        "limit_val_batches": 1,
        "num_sanity_val_steps": 0,
        "logger": False,
        "enable_checkpointing": False,
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "accelerator": "cpu",
    }
    options.update(trainer)
    t = pl.Trainer(**options)  # type: ignore[arg-type]
    t.fit(module, train_dataloaders=loaders[0], val_dataloaders=loaders[1])
    return t


@pytest.fixture
def fit() -> Callable[..., pl.Trainer]:
    """``fit(module, loaders, batches, **trainer_options)``: a real CPU ``Trainer.fit``."""
    return _fit
