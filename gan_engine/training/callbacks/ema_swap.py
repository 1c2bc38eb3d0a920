"""Validation, testing and prediction with the EMA generator; training with the raw one."""

from __future__ import annotations

import lightning.pytorch as pl
from torch import nn

from gan_engine.training.ema import GeneratorEMA


class EMASwap(pl.Callback):
    """Swaps the averaged weights into the generator for evaluation and the raw ones back afterwards.

    The GAN module adds it itself (``configure_callbacks``) when EMA is enabled. Lightning runs
    ``ModelCheckpoint`` after every other callback, so the raw weights are back in place before a
    checkpoint is written at the end of validation (the module also writes the raw weights should a
    checkpoint be saved while swapped). Validation hooks and image grids see the EMA generator.
    """

    def __init__(self, ema: GeneratorEMA, generator: nn.Module) -> None:
        super().__init__()
        self.ema = ema
        self.generator = generator

    def _swap_in(self) -> None:
        self.ema.swap_in(self.generator)

    def _restore(self) -> None:
        self.ema.restore(self.generator)

    def on_validation_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Evaluate with the averaged weights."""
        self._swap_in()

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Put the raw weights back."""
        self._restore()

    def on_test_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Test with the averaged weights."""
        self._swap_in()

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Put the raw weights back."""
        self._restore()

    def on_predict_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Predict with the averaged weights."""
        self._swap_in()

    def on_predict_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Put the raw weights back."""
        self._restore()

    def on_exception(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException
    ) -> None:
        """Never leave the averaged weights in the generator after a failure."""
        self._restore()
