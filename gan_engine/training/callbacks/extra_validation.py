"""User hooks called at the end of every validation run."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import lightning.pytorch as pl
from torch import Tensor

ValidationHook = Callable[[pl.LightningModule, list[dict[str, Tensor]]], None]
"""``hook(module, outputs)``: ``outputs`` holds one dict per batch of per-sample metric tensors
(``psnr``, ``ssim``, ``sam`` and their ``_bicubic`` counterparts)."""

_IMAGES = frozenset({"lr", "bicubic", "sr", "hr"})


class ExtraValidation(pl.Callback):
    """Collects per-batch validation metrics and hands them to each hook at the end of validation.

    Only the small per-sample metric tensors are kept (on CPU), never the images, so memory stays flat.
    """

    def __init__(self, hooks: Sequence[ValidationHook]) -> None:
        super().__init__()
        self.hooks = tuple(hooks)
        self._outputs: list[dict[str, Tensor]] = []

    def on_validation_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Start a fresh collection."""
        self._outputs = []

    def on_validation_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        """Keep this batch's metric tensors."""
        if isinstance(outputs, Mapping):
            kept = {
                k: v.detach().cpu()
                for k, v in outputs.items()
                if isinstance(v, Tensor) and v.ndim <= 1 and k not in _IMAGES
            }
            self._outputs.append(kept)

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Call every hook with the module and the collected outputs."""
        if trainer.sanity_checking:
            return
        for hook in self.hooks:
            hook(pl_module, self._outputs)
