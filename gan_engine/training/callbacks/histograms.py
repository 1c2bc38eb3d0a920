"""Weight and gradient histograms of both networks, for loggers that draw histograms (TensorBoard)."""

from __future__ import annotations

import warnings
from typing import Any, Protocol, runtime_checkable

import lightning.pytorch as pl
from torch import Tensor, nn


@runtime_checkable
class HistogramWriter(Protocol):
    """What TensorBoard's ``SummaryWriter`` (torch's or tensorboardX's) offers for histograms."""

    def add_histogram(self, tag: str, values: Tensor, global_step: int) -> Any:
        """Record one histogram."""
        ...


class ParameterHistograms(pl.Callback):
    """Every ``every_n_steps`` generator steps, logs ``weights/<network>/<name>`` and ``gradients/…``.

    Histograms are written through the first logger whose ``experiment`` has ``add_histogram`` (the
    TensorBoard logger). With no such logger they are skipped, with one warning. Gradients are those of
    the update just taken (after unscaling under mixed precision); skipped updates have none.

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

    def _writer(self, trainer: pl.Trainer) -> HistogramWriter | None:
        for logger in trainer.loggers:
            experiment = getattr(logger, "experiment", None)
            if isinstance(experiment, HistogramWriter):
                return experiment
        if not self._warned:
            self._warned = True
            names = ", ".join(type(logger).__name__ for logger in trainer.loggers) or "none"
            warnings.warn(
                f"Callbacks.histograms: no logger draws histograms (loggers: {names}); "
                "use Logging.logger: tensorboard. Histograms are skipped.",
                stacklevel=2,
            )
        return None

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
        writer = self._writer(trainer)
        if writer is None:
            return
        for network in ("generator", "discriminator"):
            module = getattr(pl_module, network, None)
            if not isinstance(module, nn.Module):
                continue
            for name, parameter in module.named_parameters():
                values = parameter.detach().float().cpu()
                writer.add_histogram(f"weights/{network}/{name}", values, step)
                self.written += 1
                if parameter.grad is not None:
                    grads = parameter.grad.detach().float().cpu()
                    writer.add_histogram(f"gradients/{network}/{name}", grads, step)
                    self.written += 1
