"""Latent conditioning of feature maps: FiLM from a latent code, and noise injection."""

from __future__ import annotations

import torch
from torch import Tensor, nn

FILM_INIT_GAIN = 0.1
"""Factor on the default init of the FiLM projection: starts near identity, yet depends on z."""


class FiLM(nn.Module):
    """Feature-wise linear modulation: ``x * (1 + gamma(style)) + beta(style)``.

    ``x[B, C, *S]``, ``style[B, F]`` → ``[B, C, *S]``; ``gamma, beta = linear(style)`` are one value
    per sample and channel, broadcast over the spatial axes (Perez et al. 2018).

    Args:
        style_features: features ``F`` of the style vector.
        channels: channels ``C`` modulated.
    """

    def __init__(self, style_features: int, channels: int) -> None:
        super().__init__()
        for name, value in (("style_features", style_features), ("channels", channels)):
            if value < 1:
                msg = f"FiLM: {name} must be >= 1, got {value}"
                raise ValueError(msg)
        self.channels = channels
        self.projection = nn.Linear(style_features, 2 * channels)
        with torch.no_grad():
            self.projection.weight.mul_(FILM_INIT_GAIN)
            self.projection.bias.mul_(FILM_INIT_GAIN)

    def forward(self, x: Tensor, style: Tensor) -> Tensor:
        """Modulate ``x[B, C, *S]`` by ``style[B, F]``."""
        if style.ndim != 2 or style.shape[0] != x.shape[0]:
            msg = f"FiLM: expected style of shape [{x.shape[0]}, F], got {tuple(style.shape)}"
            raise ValueError(msg)
        projected: Tensor = self.projection(style)
        gamma, beta = projected.chunk(2, dim=1)
        shape = (x.shape[0], self.channels) + (1,) * (x.ndim - 2)
        return x * (1 + gamma.reshape(shape)) + beta.reshape(shape)


class NoiseInjection(nn.Module):
    """Add per-pixel Gaussian noise with a learned per-channel strength (StyleGAN).

    ``x[B, C, *S] → x + strength[C] * n[B, 1, *S]``, ``n ~ N(0, 1)`` drawn from the global RNG on
    every call (so seeded runs reproduce), or given. The strength starts at 0: the untrained block
    is deterministic, and training decides how much noise to use.

    Args:
        channels: channels ``C``.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        if channels < 1:
            msg = f"NoiseInjection: channels must be >= 1, got {channels}"
            raise ValueError(msg)
        self.strength = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor, noise: Tensor | None = None) -> Tensor:
        """Add noise to ``x[B, C, *S]``; ``noise`` is ``[B, 1, *S]`` (drawn when ``None``)."""
        if noise is None:
            noise = torch.randn((x.shape[0], 1, *x.shape[2:]), device=x.device, dtype=x.dtype)
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        return x + self.strength.reshape(shape) * noise
