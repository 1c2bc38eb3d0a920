"""Attention blocks for any spatial dims: channel attention (RCAN) and large-kernel attention (VAN)."""

from __future__ import annotations

from typing import Literal, TypeAlias

import torch
from torch import Tensor, nn

from gan_engine.nn.activation import ActivationKind, make_activation
from gan_engine.nn.layers import conv
from gan_engine.types import SpatialDims

LkaGate: TypeAlias = Literal["linear", "sigmoid"]
"""How large-kernel attention gates its input: by the attention map (VAN) or its sigmoid."""


def _check_kernel(owner: str, kernel_size: int) -> None:
    if kernel_size < 1 or kernel_size % 2 != 1:
        msg = f"{owner}: kernel_size must be a positive odd integer, got {kernel_size}"
        raise ValueError(msg)


def _check_channels(owner: str, channels: int) -> None:
    if channels < 1:
        msg = f"{owner}: channels must be >= 1, got {channels}"
        raise ValueError(msg)


class ChannelAttention(nn.Module):
    """Squeeze-and-excitation: rescale each channel by a gate computed from all spatial positions.

    ``x[B, C, *S] → x * sigmoid(up(relu(down(mean_S(x)))))``, where ``down``/``up`` are 1x1 convs
    ``C → max(1, C // reduction) → C``. The gate is global, so every output pixel depends on the
    whole input: blocks using it have no bounded receptive field.

    Args:
        spatial_dims: 2 or 3.
        channels: channels ``C``.
        reduction: channel reduction of the bottleneck.
    """

    def __init__(self, spatial_dims: SpatialDims, channels: int, *, reduction: int = 16) -> None:
        super().__init__()
        _check_channels("ChannelAttention", channels)
        if reduction < 1:
            msg = f"ChannelAttention: reduction must be >= 1, got {reduction}"
            raise ValueError(msg)
        hidden = max(1, channels // reduction)
        conv_cls = conv(spatial_dims)
        self.gate = nn.Sequential(
            conv_cls(channels, hidden, 1),
            nn.ReLU(),
            conv_cls(hidden, channels, 1),
            nn.Sigmoid(),
        )

    def weights(self, x: Tensor) -> Tensor:
        """Per-channel gates in ``(0, 1)``: ``[B, C, 1, ...]`` for ``x[B, C, *S]``."""
        pooled = x.mean(dim=tuple(range(2, x.ndim)), keepdim=True)
        gates: Tensor = self.gate(pooled)
        return gates

    def forward(self, x: Tensor) -> Tensor:
        """Rescale the channels of ``x[B, C, *S]``."""
        return x * self.weights(x)


class ResidualChannelAttentionBlock(nn.Module):
    """RCAB (Zhang et al. 2018): ``x + residual_scale * CA(conv(act(conv(x))))``; keeps ``[B, C, *S]``.

    Args:
        spatial_dims: 2 or 3.
        channels: input and output channels ``C``.
        kernel_size: odd kernel size of both convolutions ("same" padding).
        reduction: channel reduction of the attention bottleneck.
        activation: activation between the convolutions.
        residual_scale: factor on the residual branch.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        *,
        kernel_size: int = 3,
        reduction: int = 16,
        activation: ActivationKind = "relu",
        residual_scale: float = 1.0,
    ) -> None:
        super().__init__()
        _check_channels("ResidualChannelAttentionBlock", channels)
        _check_kernel("ResidualChannelAttentionBlock", kernel_size)
        conv_cls = conv(spatial_dims)
        padding = kernel_size // 2
        self.body = nn.Sequential(
            conv_cls(channels, channels, kernel_size, padding=padding),
            make_activation(activation),
            conv_cls(channels, channels, kernel_size, padding=padding),
        )
        self.attention = ChannelAttention(spatial_dims, channels, reduction=reduction)
        self.residual_scale = residual_scale

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x[B, C, *S]``."""
        residual: Tensor = self.attention(self.body(x))
        return x + self.residual_scale * residual


def lka_kernels(kernel_size: int, dilation: int) -> tuple[int, int]:
    """Kernel sizes ``(local, dilated)`` of the two depthwise convs approximating ``kernel_size``.

    As in VAN: a ``(2d - 1)`` local depthwise conv, then a depthwise conv of ``kernel_size // d``
    (rounded up to odd) with dilation ``d``; together they span at least ``kernel_size`` pixels.
    """
    _check_kernel("large-kernel attention", kernel_size)
    if dilation < 1:
        msg = f"large-kernel attention: dilation must be >= 1, got {dilation}"
        raise ValueError(msg)
    dilated = max(1, kernel_size // dilation)
    return 2 * dilation - 1, dilated + 1 - dilated % 2


def lka_radius(kernel_size: int, dilation: int) -> int:
    """Receptive-field radius (pixels) of :class:`LargeKernelAttention`."""
    local, dilated = lka_kernels(kernel_size, dilation)
    return local // 2 + dilation * (dilated // 2)


class LargeKernelAttention(nn.Module):
    """VAN large-kernel attention: ``x * pw(dw_dilated(dw_local(x)))``; keeps ``[B, C, *S]``.

    A large ``kernel_size`` depthwise kernel decomposed into a small depthwise conv, a dilated
    depthwise conv and a pointwise (1x1) conv (Guo et al. 2022, "Visual Attention Network"); the
    result gates the input element-wise.

    Args:
        spatial_dims: 2 or 3.
        channels: channels ``C``.
        kernel_size: odd size of the large kernel approximated (21 in VAN).
        dilation: dilation of the second depthwise conv (3 in VAN).
        gate: ``linear`` multiplies by the attention map (VAN), ``sigmoid`` by its sigmoid
            (opensr-srgan).
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        *,
        kernel_size: int = 21,
        dilation: int = 3,
        gate: LkaGate = "linear",
    ) -> None:
        super().__init__()
        if gate not in ("linear", "sigmoid"):
            msg = f"LargeKernelAttention: gate must be 'linear' or 'sigmoid', got {gate!r}"
            raise ValueError(msg)
        self.gate = gate
        _check_channels("LargeKernelAttention", channels)
        local, dilated = lka_kernels(kernel_size, dilation)
        conv_cls = conv(spatial_dims)
        self.local = conv_cls(channels, channels, local, padding=local // 2, groups=channels)
        self.dilated = conv_cls(
            channels,
            channels,
            dilated,
            padding=dilation * (dilated // 2),
            dilation=dilation,
            groups=channels,
        )
        self.pointwise = conv_cls(channels, channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Gate ``x[B, C, *S]`` with its large-kernel attention map."""
        attention: Tensor = self.pointwise(self.dilated(self.local(x)))
        return x * (torch.sigmoid(attention) if self.gate == "sigmoid" else attention)


class LargeKernelAttentionBlock(nn.Module):
    """VAN attention sub-layer: ``x + residual_scale * conv(LKA(act(conv(x))))``; keeps ``[B, C, *S]``.

    Args:
        spatial_dims: 2 or 3.
        channels: input and output channels ``C``.
        kernel_size: large kernel size approximated by the attention.
        dilation: dilation of the attention's second depthwise conv.
        activation: activation after the first conv (GELU in VAN).
        residual_scale: factor on the residual branch.
        conv_kernel_size: odd kernel of the two convs around the attention (1 in VAN, 3 in
            opensr-srgan).
        gate: the attention's gate (see :class:`LargeKernelAttention`).
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        *,
        kernel_size: int = 21,
        dilation: int = 3,
        activation: ActivationKind = "gelu",
        residual_scale: float = 1.0,
        conv_kernel_size: int = 1,
        gate: LkaGate = "linear",
    ) -> None:
        super().__init__()
        _check_kernel("LargeKernelAttentionBlock", conv_kernel_size)
        conv_cls = conv(spatial_dims)
        pad = conv_kernel_size // 2
        self.body = nn.Sequential(
            conv_cls(channels, channels, conv_kernel_size, padding=pad),
            make_activation(activation),
            LargeKernelAttention(
                spatial_dims, channels, kernel_size=kernel_size, dilation=dilation, gate=gate
            ),
            conv_cls(channels, channels, conv_kernel_size, padding=pad),
        )
        self.residual_scale = residual_scale

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x[B, C, *S]``."""
        residual: Tensor = self.body(x)
        return x + self.residual_scale * residual
