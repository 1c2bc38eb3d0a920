"""Conv → normalisation → LeakyReLU units of the discriminators, with spectral norm as a choice.

Also the small checks every discriminator shares: choice validators and input-shape checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypeAlias, get_args

from torch import Tensor, nn

from gan_engine.nn.activation import make_activation
from gan_engine.nn.layers import conv
from gan_engine.nn.norm import NormKind, make_norm
from gan_engine.nn.spectral import spectrally_normalised
from gan_engine.types import SpatialDims

ConvNorm: TypeAlias = Literal["batch", "instance", "none", "spectral"]
"""``batch``/``instance`` norm layers, ``none``, or ``spectral`` (spectral norm on the conv, no norm
layer)."""

CONV_NORMS: tuple[ConvNorm, ...] = get_args(ConvNorm)

NEGATIVE_SLOPE = 0.2
"""LeakyReLU slope of every discriminator unit."""


def collect_features(layers: Iterable[nn.Module], x: Tensor) -> list[Tensor]:
    """Run ``x`` through ``layers`` in turn and return every layer's output, shallow to deep."""
    features: list[Tensor] = []
    for layer in layers:
        x = layer(x)
        features.append(x)
    return features


def has_norm_layer(norm: ConvNorm) -> bool:
    """Whether ``norm`` adds a layer that needs more than one value per channel."""
    return norm in ("batch", "instance")


def norm_kind(norm: ConvNorm) -> NormKind:
    """The norm layer of ``norm`` (``none`` for ``spectral``, which acts on the conv)."""
    if norm == "batch":
        return "batch"
    if norm == "instance":
        return "instance"
    return "none"


def make_conv(
    spatial_dims: SpatialDims,
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    bias: bool = True,
    spectral: bool = False,
) -> nn.Module:
    """A convolution, spectrally normalised when ``spectral``."""
    layer = conv(spatial_dims)(
        in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=bias
    )
    return spectrally_normalised(layer, enabled=spectral)


def conv_norm_act(
    spatial_dims: SpatialDims,
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    *,
    stride: int,
    padding: int,
    norm: ConvNorm,
) -> nn.Sequential:
    """``conv → norm → LeakyReLU(0.2)``; ``[B, C_in, *S] → [B, C_out, *S']``.

    The conv has no bias before a norm layer (its mean subtraction cancels one).
    """
    return nn.Sequential(
        make_conv(
            spatial_dims,
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            bias=not has_norm_layer(norm),
            spectral=norm == "spectral",
        ),
        make_norm(norm_kind(norm), spatial_dims, out_channels),
        make_activation("leaky_relu", negative_slope=NEGATIVE_SLOPE),
    )


def check_arguments(owner: str, spatial_dims: int, in_channels: int) -> None:
    """Validate a discriminator's ``spatial_dims`` and ``in_channels``."""
    if spatial_dims not in (2, 3):
        msg = f"{owner}: spatial_dims must be 2 or 3, got {spatial_dims!r}"
        raise ValueError(msg)
    if in_channels < 1:
        msg = f"{owner}: in_channels must be >= 1, got {in_channels}"
        raise ValueError(msg)


def check_input(owner: str, x: Tensor, spatial_dims: int, in_channels: int, min_size: int) -> None:
    """``x`` must be ``[B, in_channels, *S]`` with every spatial size at least ``min_size``."""
    axes = "H, W" if spatial_dims == 2 else "D, H, W"
    if x.ndim != spatial_dims + 2 or x.shape[1] != in_channels:
        msg = f"{owner} expects x of shape [B, {in_channels}, {axes}], got {tuple(x.shape)}"
        raise ValueError(msg)
    if min(x.shape[2:]) < min_size:
        msg = f"{owner} needs every spatial size >= {min_size}, got {tuple(x.shape[2:])}"
        raise ValueError(msg)
