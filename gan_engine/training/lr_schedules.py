"""Per-network learning-rate schedules: linear warm-up, then constant, cosine or plateau decay.

The GAN module steps them itself (manual optimisation): after each successful optimiser step of its
network, and — for ``plateau`` — with the monitored metric at the end of each validation run (see
:class:`~gan_engine.training.callbacks.plateau.PlateauStep`). They are ordinary
``torch.optim.lr_scheduler.LRScheduler`` objects, so Lightning checkpoints them and its
``LearningRateMonitor`` logs them.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor
from torch.optim.lr_scheduler import LRScheduler

from gan_engine.training.config import SchedulerConfig


def warmup_factor(step: int, warmup_steps: int) -> float:
    """Linear warm-up multiplier at optimiser step ``step`` (0-based): ``min(1, (step+1)/warmup_steps)``.

    1 throughout when ``warmup_steps`` is 0.
    """
    if warmup_steps <= 0:
        return 1.0
    return min(1.0, (max(step, 0) + 1) / warmup_steps)


def scheduled_lr(step: int, base_lr: float, config: SchedulerConfig) -> float:
    """The learning rate at optimiser step ``step`` before any plateau reduction.

    Warm-up, then constant (``none``/``plateau``) or half a cosine from ``base_lr`` at the end of the
    warm-up to ``config.min_lr`` at ``config.total_steps`` (``cosine``), constant after it.
    """
    warm = warmup_factor(step, config.warmup_steps)
    if config.name != "cosine" or config.total_steps is None:
        return base_lr * warm
    span = config.total_steps - config.warmup_steps
    t = min(1.0, max(0.0, (step - config.warmup_steps) / span))
    floor = min(config.min_lr, base_lr)
    return warm * (floor + (base_lr - floor) * 0.5 * (1.0 + math.cos(math.pi * t)))


class NetworkLR(LRScheduler):
    """One network's schedule as a torch ``LRScheduler``: call :meth:`step` after each optimiser step.

    ``plateau`` reductions come from :meth:`report`, called with the monitored validation metric. The
    state (step, plateau scale, best value, bad runs) is plain numbers, so checkpoints holding it load
    with ``torch.load(..., weights_only=True)``.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, config: SchedulerConfig) -> None:
        self.config = config
        self.plateau_scale = 1.0
        self.best: float | None = None
        self.bad_runs = 0
        super().__init__(optimizer)

    def _lr(self, base_lr: float) -> float:
        lr = scheduled_lr(self.last_epoch, base_lr, self.config)
        if self.config.name == "plateau":
            lr = max(lr * self.plateau_scale, min(self.config.min_lr, lr))
        return lr

    def get_lr(self) -> list[float | Tensor]:
        """The learning rate of each parameter group at the current step."""
        return [self._lr(float(base)) for base in self.base_lrs]

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        margin = abs(self.best) * self.config.threshold
        if self.config.mode == "max":
            return value > self.best + margin
        return value < self.best - margin

    def report(self, value: float) -> bool:
        """Feed one validation result of the monitored metric; returns whether the rate was reduced.

        Ignored unless the schedule is ``plateau`` and the warm-up is over. A NaN counts as no
        improvement.
        """
        config = self.config
        if config.name != "plateau" or self.last_epoch < config.warmup_steps:
            return False
        if not math.isnan(value) and self._improved(value):
            self.best = value
            self.bad_runs = 0
            return False
        self.bad_runs += 1
        if self.bad_runs <= config.patience:
            return False
        self.bad_runs = 0
        self.plateau_scale *= config.factor
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = self._lr(float(base))
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
        return True

    def state_dict(self) -> dict[str, Any]:
        """Plain numbers only (no optimiser, no config): safe for ``weights_only`` loading."""
        return {
            key: value for key, value in self.__dict__.items() if key not in ("optimizer", "config")
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state saved by :meth:`state_dict`."""
        self.__dict__.update(state_dict)


def build_scheduler(optimizer: torch.optim.Optimizer, config: SchedulerConfig) -> NetworkLR:
    """The schedule ``config`` describes over ``optimizer``'s parameter groups."""
    return NetworkLR(optimizer, config)
