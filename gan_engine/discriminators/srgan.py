"""The SRGAN discriminator (Ledig et al. 2017) for 2D and 3D, any band count and any input size."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, Self, TypeAlias, get_args

import attrs
from torch import Tensor, nn

from gan_engine.discriminators.conditioning import (
    check_mask_channels,
    check_mask_context,
    with_mask,
)
from gan_engine.discriminators.conv_norm import collect_features
from gan_engine.errors import InvalidParamError
from gan_engine.nn.activation import make_activation
from gan_engine.nn.layers import adaptive_avg_pool, conv
from gan_engine.nn.norm import make_norm
from gan_engine.params import at_least, one_of
from gan_engine.registry import Capabilities, register_discriminator
from gan_engine.types import BuildContext, Conditioning, SpatialDims

DiscriminatorNorm: TypeAlias = Literal["batch", "instance", "none"]

NEGATIVE_SLOPE = 0.2
"""LeakyReLU slope of every block and of the head, as in the paper."""


@attrs.frozen(kw_only=True)
class SRGANDiscriminatorParams:
    """Parameters of :class:`SRGANDiscriminator`.

    Like every component parameter class it offers ``tiny()``: a very small configuration that the
    registry contract tests and smoke runs build in every declared spatial dim; it is not meant to
    give good results.

    Attributes:
        base_channels: channels of the first two blocks; they double every second block.
        max_channels: cap on the channels of any block (>= ``base_channels``).
        n_blocks: number of conv blocks; odd-numbered blocks (the 2nd, 4th, ...) have stride 2.
        norm: normalisation of every block but the first.
        head_channels: width of the 1x1 conv standing in for the paper's dense 1024 layer.
        mask_channels: channels of ``cond.holes`` appended to the image (0: no mask input; 1 or
            the image's channels).
    """

    base_channels: int = attrs.field(default=64, validator=at_least(1))
    max_channels: int = attrs.field(default=512, validator=at_least(1))
    n_blocks: int = attrs.field(default=8, validator=at_least(1))
    norm: DiscriminatorNorm = attrs.field(
        default="batch", validator=one_of(get_args(DiscriminatorNorm))
    )
    head_channels: int = attrs.field(default=1024, validator=at_least(1))
    mask_channels: int = attrs.field(default=0, validator=at_least(0))

    @max_channels.validator
    def _at_least_base(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value < self.base_channels:
            message = f"must be >= base_channels ({self.base_channels}), got {value}"
            raise InvalidParamError(attribute.name, message)

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for contract tests and smoke runs."""
        return cls(base_channels=8, max_channels=16, n_blocks=4, head_channels=16)

    def check(self, context: BuildContext) -> Iterable[InvalidParamError]:
        """``mask_channels`` must be 0, 1 or the run's channel count."""
        return check_mask_context(self.mask_channels, context)

    def block_channels(self) -> list[int]:
        """Output channels of each block: ``base_channels * 2**(i // 2)``, capped."""
        return [
            min(self.base_channels << (index // 2), self.max_channels)
            for index in range(self.n_blocks)
        ]

    def min_input_size(self) -> int:
        """Smallest size per spatial axis that trains with any batch size, including 1.

        Every stride-2 block halves a size ``n`` to ``ceil(n / 2)``. A normalised block needs more
        than one value per channel (batch norm with a batch of one, instance norm always), so the
        last one, after ``k = n_blocks // 2`` halvings, must keep 2 pixels per axis:
        ``n >= 2**k + 1``. Without normalisation any size works.
        """
        if self.norm == "none" or self.n_blocks < 2:  # the first block is never normalised
            return 1
        return (1 << (self.n_blocks // 2)) + 1


@register_discriminator(
    "srgan",
    params=SRGANDiscriminatorParams,
    capabilities=Capabilities(
        spatial_dims=frozenset({2, 3}),
        # for the default parameters; SRGANDiscriminatorParams.min_input_size() gives it for others
        min_input_size=SRGANDiscriminatorParams().min_input_size(),
        channels_last_safe=True,
        receptive_field=None,  # global average pooling: every logit sees the whole input
        conditioning=frozenset({"mask"}),
    ),
)
class SRGANDiscriminator(nn.Module):
    """SRGAN discriminator: strided conv blocks, then global pooling and a 1x1-conv head.

    ``forward(x[B, C, *S]) -> logits[B, 1]`` (raw, no sigmoid). Each block is conv 3 → norm →
    LeakyReLU(0.2), with strides 1, 2, 1, 2, ... and channels ``base, base, 2 base, 2 base, ...``
    up to ``max_channels``; the first block has no norm. The paper's flatten + dense 1024 + dense 1
    become global average pooling + 1x1 convs, so any input of ``min_input_size`` or more works.
    With ``mask_channels`` the hole mask ``cond.holes`` enters as extra input channels.

    Args:
        spatial_dims: 2 or 3.
        in_channels: bands of the images scored.
        params: architecture parameters (defaults: the paper's 64 to 512 channels in 8 blocks).
    """

    spatial_dims: SpatialDims
    in_channels: int

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        params: SRGANDiscriminatorParams | None = None,
    ) -> None:
        super().__init__()
        params = SRGANDiscriminatorParams() if params is None else params
        if spatial_dims not in (2, 3):
            msg = f"SRGANDiscriminator: spatial_dims must be 2 or 3, got {spatial_dims!r}"
            raise ValueError(msg)
        if in_channels < 1:
            msg = f"SRGANDiscriminator: in_channels must be >= 1, got {in_channels}"
            raise ValueError(msg)
        check_mask_channels("SRGANDiscriminator", params.mask_channels, in_channels)
        self.spatial_dims = spatial_dims
        self.in_channels = in_channels
        self.params = params
        self.min_input_size = params.min_input_size()

        conv_cls = conv(spatial_dims)
        blocks: list[nn.Module] = []
        channels = in_channels + params.mask_channels
        for index, out_channels in enumerate(params.block_channels()):
            norm: DiscriminatorNorm = "none" if index == 0 else params.norm
            blocks.append(
                nn.Sequential(
                    conv_cls(
                        channels,
                        out_channels,
                        3,
                        stride=1 if index % 2 == 0 else 2,
                        padding=1,
                        bias=norm == "none",  # a norm's mean subtraction cancels a bias
                    ),
                    make_norm(norm, spatial_dims, out_channels),
                    make_activation("leaky_relu", negative_slope=NEGATIVE_SLOPE),
                )
            )
            channels = out_channels
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Sequential(
            adaptive_avg_pool(spatial_dims)(1),
            conv_cls(channels, params.head_channels, 1),
            make_activation("leaky_relu", negative_slope=NEGATIVE_SLOPE),
            conv_cls(params.head_channels, 1, 1),
            nn.Flatten(1),
        )

    def forward(self, x: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Score ``x[B, C, *S]``: raw logits ``[B, 1]``."""
        logits: Tensor = self.head(self.features(x, cond)[-1])
        return logits

    def features(self, x: Tensor, cond: Conditioning | None = None) -> list[Tensor]:
        """Every block's output, shallow to deep; block ``i`` is ``ceil(S / 2**((i + 1) // 2))``."""
        self._check_input(x)
        x = with_mask("SRGANDiscriminator", x, cond, self.params.mask_channels)
        return collect_features(self.blocks, x)

    def _check_input(self, x: Tensor) -> None:
        if x.ndim != self.spatial_dims + 2 or x.shape[1] != self.in_channels:
            axes = "H, W" if self.spatial_dims == 2 else "D, H, W"
            msg = (
                f"SRGANDiscriminator expects x of shape [B, {self.in_channels}, {axes}], "
                f"got {tuple(x.shape)}"
            )
            raise ValueError(msg)
