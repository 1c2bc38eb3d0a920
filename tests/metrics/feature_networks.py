"""Feature networks of a user's own for FID/KID (``feature_network: tests.metrics.feature_networks:…``)."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class BandStatistics(nn.Module):
    """Per-band mean, standard deviation and mean horizontal gradient: ``[N, C, H, W]`` → ``[N, 3C]``.

    Deterministic and cheap, for any band count, so FID/KID can be tested without Inception.
    """

    def forward(self, images: Tensor) -> Tensor:
        gradient = (images[..., 1:] - images[..., :-1]).abs().mean(dim=(2, 3))
        return torch.cat([images.mean(dim=(2, 3)), images.std(dim=(2, 3)), gradient], dim=1)


def band_statistics() -> nn.Module:
    """The factory a spec names: ``tests.metrics.feature_networks:band_statistics``."""
    return BandStatistics()


def not_a_module() -> str:
    """A factory returning something else, for the error test."""
    return "features"
