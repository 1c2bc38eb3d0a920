"""Optimisers built from :class:`~gan_engine.training.config.OptimiserConfig`."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from gan_engine.training.config import OptimiserConfig


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
