"""Optimisers built from :class:`~gan_engine.training.config.OptimiserConfig`, with their schedules."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from lightning.pytorch.utilities.types import OptimizerLRSchedulerConfig
from torch import nn

from gan_engine.training.config import OptimiserConfig, SchedulerConfig
from gan_engine.training.lr_schedules import build_scheduler


def build_optimiser(
    parameters: Iterable[nn.Parameter], config: OptimiserConfig
) -> torch.optim.Optimizer:
    """Return the configured optimiser over ``parameters`` (foreach kernels, which torch picks by default)."""
    params = [p for p in parameters if p.requires_grad]
    if not params:
        msg = "build_optimiser: the network has no trainable parameters"
        raise ValueError(msg)
    if config.name == "adam":
        return torch.optim.Adam(
            params, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay
        )
    return torch.optim.AdamW(
        params, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay
    )


def optimiser_with_schedule(
    name: str, network: nn.Module, optimiser: OptimiserConfig, schedule: SchedulerConfig
) -> OptimizerLRSchedulerConfig:
    """One network's optimiser and schedule in Lightning's dict format.

    The schedule is logged by ``LearningRateMonitor`` as ``lr-<name>`` and stepped by the module.
    """
    built = build_optimiser(network.parameters(), optimiser)
    scheduler = build_scheduler(built, schedule)
    return {
        "optimizer": built,
        "lr_scheduler": {"scheduler": scheduler, "interval": "step", "name": f"lr-{name}"},
    }
