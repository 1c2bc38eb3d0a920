"""Feeds the monitored validation metric to ``plateau`` learning-rate schedules."""

from __future__ import annotations

import math

import lightning.pytorch as pl
from lightning.pytorch.trainer.states import TrainerFn

from gan_engine.errors import GanEngineError
from gan_engine.training.lr_schedules import NetworkLR


class PlateauStep(pl.Callback):
    """At the end of each validation run during fitting, reports the metric to ``plateau`` schedules.

    The GAN module adds it itself (``configure_callbacks``) when a schedule is ``plateau``. It runs in
    ``on_validation_end``, before ``ModelCheckpoint`` (which Lightning runs last), so checkpoints hold
    the schedule's state after this validation — a resumed run continues exactly. Lightning's sanity
    check and validation outside ``fit`` are ignored.
    """

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Report the monitored metric to every ``plateau`` schedule."""
        if trainer.sanity_checking or trainer.state.fn != TrainerFn.FITTING:
            return
        schedulers = pl_module.lr_schedulers()
        listed = schedulers if isinstance(schedulers, list) else [schedulers]
        for scheduler in listed:
            if not isinstance(scheduler, NetworkLR) or scheduler.config.name != "plateau":
                continue
            monitor = scheduler.config.monitor
            value = trainer.callback_metrics.get(monitor)
            if value is None:
                logged = ", ".join(sorted(trainer.callback_metrics)) or "nothing"
                msg = (
                    f"the plateau learning-rate schedule monitors '{monitor}', which validation did "
                    f"not log; logged: {logged}"
                )
                raise GanEngineError(msg)
            number = float(value.item())
            scheduler.report(number if math.isfinite(number) else math.nan)
