"""Latent conditioning of feature maps: FiLM, latent-modulated residual blocks, noise injection."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from gan_engine.nn.activation import ActivationKind, make_activation
from gan_engine.nn.layers import conv
from gan_engine.types import SpatialDims

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


class LatentModulatedResidualBlock(nn.Module):
    """Residual block whose first conv is modulated by its own MLP of a latent code.

    ``y = conv1(x) * (1 + gamma) + beta`` with ``gamma, beta = style(z)`` (``Linear(D, H)`` → SiLU →
    ``Linear(H, 2C)``, one value per sample and channel), then
    ``x + residual_scale * conv2(act(y))``; ``x[B, C, *S]``, ``z[B, D]`` → ``[B, C, *S]``. This is
    opensr-srgan's stochastic generator block; attribute names follow it.

    Args:
        spatial_dims: 2 or 3.
        channels: channels ``C``.
        latent_dim: size ``D`` of the latent code.
        hidden: width ``H`` of the MLP.
        kernel_size: odd kernel size of both convs ("same" padding).
        activation: activation after the modulation.
        residual_scale: factor on the residual branch.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        latent_dim: int,
        hidden: int,
        *,
        kernel_size: int = 3,
        activation: ActivationKind = "prelu",
        residual_scale: float = 1.0,
    ) -> None:
        super().__init__()
        for name, value in (("channels", channels), ("latent_dim", latent_dim), ("hidden", hidden)):
            if value < 1:
                msg = f"LatentModulatedResidualBlock: {name} must be >= 1, got {value}"
                raise ValueError(msg)
        if kernel_size < 1 or kernel_size % 2 != 1:
            msg = f"LatentModulatedResidualBlock: kernel_size must be positive and odd, got {kernel_size}"
            raise ValueError(msg)
        conv_cls = conv(spatial_dims)
        padding = kernel_size // 2
        self.channels = channels
        self.conv1 = conv_cls(channels, channels, kernel_size, padding=padding)
        self.act = make_activation(activation)
        self.conv2 = conv_cls(channels, channels, kernel_size, padding=padding)
        self.noise_mlp = nn.Sequential(
            nn.Linear(latent_dim, hidden), nn.SiLU(), nn.Linear(hidden, 2 * channels)
        )
        self.residual_scale = residual_scale

    def forward(self, x: Tensor, latent: Tensor) -> Tensor:
        """Apply the block to ``x[B, C, *S]`` for the latent ``latent[B, D]``."""
        style: Tensor = self.noise_mlp(latent)
        gamma, beta = style.chunk(2, dim=1)
        shape = (x.shape[0], self.channels) + (1,) * (x.ndim - 2)
        modulated = self.conv1(x) * (1 + gamma.reshape(shape)) + beta.reshape(shape)
        residual: Tensor = self.conv2(self.act(modulated))
        return x + self.residual_scale * residual
