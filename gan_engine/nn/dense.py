"""Residual dense blocks and residual-in-residual dense blocks (ESRGAN), for any spatial dims.

Attribute names follow BasicSR's ``RRDBNet`` (``rdb1``..``rdb3``, ``conv1``..``conv5``) so that its
state dicts load without renaming.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from gan_engine.nn.inference_forms import InferenceForms, activate_, add_scaled
from gan_engine.nn.layers import conv
from gan_engine.types import SpatialDims

DENSE_CONVS = 5
"""Convolutions per residual dense block; the longest input → output path passes through all."""

RRDB_DENSE_BLOCKS = 3
"""Residual dense blocks per RRDB."""

INIT_GAIN = 0.1
"""Factor on the Kaiming init of every dense conv (as ESRGAN): keeps deep trunks near identity."""


def rdb_radius(kernel_size: int) -> int:
    """Receptive-field radius (pixels) of one :class:`ResidualDenseBlock`."""
    return DENSE_CONVS * (kernel_size // 2)


def rrdb_radius(kernel_size: int) -> int:
    """Receptive-field radius (pixels) of one :class:`RRDB`."""
    return RRDB_DENSE_BLOCKS * rdb_radius(kernel_size)


class ResidualDenseBlock(InferenceForms):
    """Five densely connected convs: ``x + residual_scale * conv5(cat(x, x1, x2, x3, x4))``.

    ``x_i = lrelu(conv_i(cat(x, x1, ..., x_{i-1})))`` with ``growth_channels`` channels each;
    ``[B, C, *S] → [B, C, *S]``. Without ``skip`` the block returns ``conv5(...)`` alone (no skip,
    no scaling), as opensr-srgan's dense blocks do.

    Args:
        spatial_dims: 2 or 3.
        channels: input and output channels ``C``.
        growth_channels: channels added by each of the first four convs.
        kernel_size: odd kernel size of every conv ("same" padding).
        residual_scale: factor on the dense branch (0.2 in ESRGAN).
        negative_slope: LeakyReLU slope.
        skip: add the input (ESRGAN); ``False`` returns the dense branch alone.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        *,
        growth_channels: int = 32,
        kernel_size: int = 3,
        residual_scale: float = 0.2,
        negative_slope: float = 0.2,
        skip: bool = True,
    ) -> None:
        super().__init__()
        for name, value in (("channels", channels), ("growth_channels", growth_channels)):
            if value < 1:
                msg = f"ResidualDenseBlock: {name} must be >= 1, got {value}"
                raise ValueError(msg)
        if kernel_size < 1 or kernel_size % 2 != 1:
            msg = (
                f"ResidualDenseBlock: kernel_size must be a positive odd integer, got {kernel_size}"
            )
            raise ValueError(msg)
        conv_cls = conv(spatial_dims)
        padding = kernel_size // 2
        widths = [channels + index * growth_channels for index in range(DENSE_CONVS)]
        outs = [growth_channels] * (DENSE_CONVS - 1) + [channels]
        self.conv1, self.conv2, self.conv3, self.conv4, self.conv5 = (
            conv_cls(width, out, kernel_size, padding=padding)
            for width, out in zip(widths, outs, strict=True)
        )
        self.lrelu = nn.LeakyReLU(negative_slope)
        self.residual_scale = residual_scale
        self.skip = skip
        for layer in (self.conv1, self.conv2, self.conv3, self.conv4, self.conv5):
            _scaled_kaiming_(layer)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x[B, C, *S]`` (in place on its own maps in the inference form)."""
        eager = self.inference_form
        features = [x]
        for layer in (self.conv1, self.conv2, self.conv3, self.conv4):
            grown = layer(torch.cat(features, dim=1))
            features.append(activate_(self.lrelu, grown) if eager else self.lrelu(grown))
        residual: Tensor = self.conv5(torch.cat(features, dim=1))
        if not self.skip:
            return residual
        return add_scaled(residual, x, self.residual_scale, in_place=eager)


class RRDB(InferenceForms):
    """Residual-in-residual dense block: ``x + residual_scale * rdb3(rdb2(rdb1(x)))``.

    ``[B, C, *S] → [B, C, *S]``; the same ``residual_scale`` scales each dense block's branch.
    With ``dense_skip=False`` the dense blocks have no skip of their own (opensr-srgan's layout):
    ``x + residual_scale * d3(d2(d1(x)))`` with ``d_i`` the bare dense branches.

    Args:
        spatial_dims: 2 or 3.
        channels: input and output channels ``C``.
        growth_channels: growth channels of the dense blocks.
        kernel_size: odd kernel size of every conv.
        residual_scale: factor on the residual branches (0.2 in ESRGAN).
        negative_slope: LeakyReLU slope.
        dense_skip: give each dense block its own scaled skip (ESRGAN).
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        *,
        growth_channels: int = 32,
        kernel_size: int = 3,
        residual_scale: float = 0.2,
        negative_slope: float = 0.2,
        dense_skip: bool = True,
    ) -> None:
        super().__init__()
        self.rdb1, self.rdb2, self.rdb3 = (
            ResidualDenseBlock(
                spatial_dims,
                channels,
                growth_channels=growth_channels,
                kernel_size=kernel_size,
                residual_scale=residual_scale,
                negative_slope=negative_slope,
                skip=dense_skip,
            )
            for _ in range(RRDB_DENSE_BLOCKS)
        )
        self.residual_scale = residual_scale

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x[B, C, *S]`` (in place on its own maps in the inference form)."""
        residual: Tensor = self.rdb3(self.rdb2(self.rdb1(x)))
        return add_scaled(residual, x, self.residual_scale, in_place=self.inference_form)


@torch.no_grad()
def _scaled_kaiming_(layer: nn.Conv2d | nn.Conv3d) -> None:
    nn.init.kaiming_normal_(layer.weight)
    layer.weight.mul_(INIT_GAIN)
    if layer.bias is not None:
        layer.bias.zero_()
