"""Weight and gradient histograms of both networks, for loggers that draw histograms (TensorBoard, W&B)."""

from __future__ import annotations

import warnings
from typing import Any, Protocol, runtime_checkable

import lightning.pytorch as pl
import numpy as np
from lightning.pytorch.loggers import WandbLogger
from torch import Tensor, nn


@runtime_checkable
class HistogramWriter(Protocol):
    """What TensorBoard's ``SummaryWriter`` (torch's or tensorboardX's) offers for histograms."""

    def add_histogram(self, tag: str, values: Tensor, global_step: int) -> Any:
        """Record one histogram."""
        ...


class ParameterHistograms(pl.Callback):
    """Every ``every_n_steps`` generator steps, logs ``weights/<network>/<name>`` and ``gradients/…``.

    Histograms go to every logger that draws them: through ``experiment.add_histogram`` (TensorBoard,
    at the generator step) and as ``wandb.Histogram`` values of one ``log`` call (W&B, at
    ``trainer.global_step`` like Lightning's scalars). With no such logger they are skipped, with one
    warning. Gradients are those of the update just taken (after unscaling under mixed precision);
    skipped updates have none.

    Args:
        every_n_steps: generator steps between histograms.
    """

    def __init__(self, every_n_steps: int) -> None:
        super().__init__()
        if every_n_steps < 1:
            msg = f"every_n_steps must be >= 1, got {every_n_steps}"
            raise ValueError(msg)
        self.every_n_steps = every_n_steps
        self._logged_at = -1
        self._warned = False
        self.written = 0

    def _sinks(self, trainer: pl.Trainer) -> tuple[list[HistogramWriter], list[WandbLogger]]:
        writers: list[HistogramWriter] = []
        wandb_loggers: list[WandbLogger] = []
        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger):
                wandb_loggers.append(logger)
                continue
            experiment = getattr(logger, "experiment", None)
            if isinstance(experiment, HistogramWriter):
                writers.append(experiment)
        if not writers and not wandb_loggers and not self._warned:
            self._warned = True
            names = ", ".join(type(logger).__name__ for logger in trainer.loggers) or "none"
            warnings.warn(
                f"Callbacks.histograms: no logger draws histograms (loggers: {names}); "
                "use Logging.logger: tensorboard or wandb. Histograms are skipped.",
                stacklevel=2,
            )
        return writers, wandb_loggers

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        """Log the histograms after every ``every_n_steps``-th generator step (rank 0 only)."""
        step = int(getattr(pl_module, "generator_steps", trainer.global_step))
        if step == self._logged_at or step % self.every_n_steps != 0 or not trainer.is_global_zero:
            return
        self._logged_at = step
        writers, wandb_loggers = self._sinks(trainer)
        if not writers and not wandb_loggers:
            return
        histograms = list(_histograms(pl_module))
        for writer in writers:
            for tag, values in histograms:
                writer.add_histogram(tag, values, step)
                self.written += 1
        if wandb_loggers:
            import wandb  # only with a W&B logger, which needs it installed

            logged: dict[str, Any] = {
                tag: wandb.Histogram(np_histogram=np.histogram(values.numpy(), bins=64))
                for tag, values in histograms
            }
            for logger in wandb_loggers:
                logger.experiment.log({**logged, "trainer/global_step": trainer.global_step})
                self.written += len(logged)


def _histograms(pl_module: pl.LightningModule) -> list[tuple[str, Tensor]]:
    """``(tag, values)`` of both networks' weights and present gradients, on the CPU as float."""
    histograms: list[tuple[str, Tensor]] = []
    for network in ("generator", "discriminator"):
        module = getattr(pl_module, network, None)
        if not isinstance(module, nn.Module):
            continue
        for name, parameter in module.named_parameters():
            histograms.append((f"weights/{network}/{name}", parameter.detach().float().cpu()))
            if parameter.grad is not None:
                grads = parameter.grad.detach().float().cpu()
                histograms.append((f"gradients/{network}/{name}", grads))
    return histograms
