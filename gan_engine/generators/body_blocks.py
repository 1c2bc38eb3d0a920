"""The body block types of SRResNet-style generators, each with its builder and receptive field.

A block maps ``[B, n_channels, *S] → [B, n_channels, *S]``. Adding a type is one entry in
:data:`BlockKind`, one builder in :data:`BODY_BLOCKS` and one radius in :data:`BLOCK_RADII`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, Protocol, TypeAlias

from torch import nn

from gan_engine.nn.activation import ActivationKind
from gan_engine.nn.attention import (
    LargeKernelAttentionBlock,
    LkaGate,
    ResidualChannelAttentionBlock,
    lka_radius,
)
from gan_engine.nn.dense import RRDB, rrdb_radius
from gan_engine.nn.norm import NormKind
from gan_engine.nn.residual import ResidualBlock
from gan_engine.types import SpatialDims

BlockKind: TypeAlias = Literal["res", "rcab", "rrdb", "lka"]
"""``res`` residual (SRResNet), ``rcab`` residual channel attention (RCAN), ``rrdb``
residual-in-residual dense (ESRGAN), ``lka`` large-kernel attention (VAN)."""

RRDB_NEGATIVE_SLOPE = 0.2
"""LeakyReLU slope inside RRDB blocks, as in ESRGAN."""


class BlockParams(Protocol):
    """The generator parameters a body block is built from."""

    @property
    def n_channels(self) -> int:
        """Channels of the body."""
        ...

    @property
    def kernel_size(self) -> int:
        """Odd kernel size of the block convolutions."""
        ...

    @property
    def norm(self) -> NormKind:
        """Normalisation (``res`` blocks only)."""
        ...

    @property
    def activation(self) -> ActivationKind:
        """Activation (``res``, ``rcab`` and ``lka`` blocks)."""
        ...

    @property
    def residual_scale(self) -> float:
        """Factor on each residual branch."""
        ...

    @property
    def reduction(self) -> int:
        """Channel reduction of channel attention (``rcab``)."""
        ...

    @property
    def growth_channels(self) -> int:
        """Growth channels of dense blocks (``rrdb``)."""
        ...

    @property
    def lka_kernel_size(self) -> int:
        """Large kernel approximated by ``lka`` blocks."""
        ...

    @property
    def lka_dilation(self) -> int:
        """Dilation of the ``lka`` dilated depthwise conv."""
        ...

    @property
    def lka_conv_kernel_size(self) -> int:
        """Kernel of the two convs around the attention (``lka``)."""
        ...

    @property
    def lka_gate(self) -> LkaGate:
        """Gate of the large-kernel attention (``lka``)."""
        ...

    @property
    def dense_skip(self) -> bool:
        """Whether each dense block of an ``rrdb`` block has its own skip."""
        ...


class BlockBuilder(Protocol):
    """Builds one shape-preserving body block ``[B, n_channels, *S] → [B, n_channels, *S]``."""

    def __call__(self, spatial_dims: SpatialDims, params: BlockParams) -> nn.Module:
        """Build the block for ``spatial_dims`` from the generator's parameters."""
        ...


def _residual_block(spatial_dims: SpatialDims, params: BlockParams) -> nn.Module:
    return ResidualBlock(
        spatial_dims,
        params.n_channels,
        kernel_size=params.kernel_size,
        norm=params.norm,
        activation=params.activation,
        residual_scale=params.residual_scale,
    )


def _rcab(spatial_dims: SpatialDims, params: BlockParams) -> nn.Module:
    return ResidualChannelAttentionBlock(
        spatial_dims,
        params.n_channels,
        kernel_size=params.kernel_size,
        reduction=params.reduction,
        activation=params.activation,
        residual_scale=params.residual_scale,
    )


def _rrdb(spatial_dims: SpatialDims, params: BlockParams) -> nn.Module:
    return RRDB(
        spatial_dims,
        params.n_channels,
        growth_channels=params.growth_channels,
        kernel_size=params.kernel_size,
        residual_scale=params.residual_scale,
        negative_slope=RRDB_NEGATIVE_SLOPE,
        dense_skip=params.dense_skip,
    )


def _lka(spatial_dims: SpatialDims, params: BlockParams) -> nn.Module:
    return LargeKernelAttentionBlock(
        spatial_dims,
        params.n_channels,
        kernel_size=params.lka_kernel_size,
        dilation=params.lka_dilation,
        activation=params.activation,
        residual_scale=params.residual_scale,
        conv_kernel_size=params.lka_conv_kernel_size,
        gate=params.lka_gate,
    )


BODY_BLOCKS: Mapping[BlockKind, BlockBuilder] = {
    "res": _residual_block,
    "rcab": _rcab,
    "rrdb": _rrdb,
    "lka": _lka,
}
"""Body block builders by kind."""

BLOCK_RADII: Mapping[BlockKind, Callable[[BlockParams], int | None]] = {
    "res": lambda params: 2 * (params.kernel_size // 2),
    # the channel gate averages over the whole input: no bounded receptive field
    "rcab": lambda _params: None,
    "rrdb": lambda params: rrdb_radius(params.kernel_size),
    "lka": lambda params: (
        lka_radius(params.lka_kernel_size, params.lka_dilation)
        + 2 * (params.lka_conv_kernel_size // 2)
    ),
}
"""Receptive-field radius (pixels) of one block of each kind; ``None`` when unbounded."""
