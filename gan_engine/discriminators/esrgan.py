"""The VGG-style discriminator of ESRGAN (Wang et al. 2018) for 2D and 3D and any input size."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

import attrs
from torch import Tensor, nn

from gan_engine.discriminators.conditioning import (
    check_mask_channels,
    check_mask_context,
    with_mask,
)
from gan_engine.discriminators.conv_norm import (
    CONV_NORMS,
    NEGATIVE_SLOPE,
    ConvNorm,
    check_arguments,
    check_input,
    collect_features,
    conv_norm_act,
    has_norm_layer,
    make_conv,
)
from gan_engine.errors import InvalidParamError
from gan_engine.nn.activation import make_activation
from gan_engine.nn.layers import adaptive_avg_pool
from gan_engine.params import at_least, one_of
from gan_engine.registry import Capabilities, register_discriminator
from gan_engine.types import BuildContext, Conditioning, SpatialDims


@attrs.frozen(kw_only=True)
class ESRGANDiscriminatorParams:
    """Parameters of :class:`ESRGANDiscriminator`.

    Attributes:
        base_channels: channels of the first stage; they double at each stage.
        max_channels: cap on the channels of any stage (ESRGAN: 64 → 512 over 5 stages).
        n_stages: stages of (conv 3 stride 1, conv 4 stride 2); each halves the size.
        norm: ``batch`` (ESRGAN), ``instance``, ``none`` or ``spectral`` (spectral norm on every
            conv, head included, and no norm layer). The first conv is never normalised by a layer.
        head_channels: width of the 1x1 conv standing in for ESRGAN's dense 100 layer.
        mask_channels: channels of ``cond.holes`` appended to the image (0: no mask input; 1 or
            the image's channels).
    """

    base_channels: int = attrs.field(default=64, validator=at_least(1))
    max_channels: int = attrs.field(default=512, validator=at_least(1))
    n_stages: int = attrs.field(default=5, validator=at_least(1))
    norm: ConvNorm = attrs.field(default="batch", validator=one_of(CONV_NORMS))
    head_channels: int = attrs.field(default=100, validator=at_least(1))
    mask_channels: int = attrs.field(default=0, validator=at_least(0))

    @max_channels.validator
    def _at_least_base(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value < self.base_channels:
            message = f"must be >= base_channels ({self.base_channels}), got {value}"
            raise InvalidParamError(attribute.name, message)

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for contract tests and smoke runs."""
        return cls(base_channels=8, max_channels=16, n_stages=2, head_channels=8)

    def check(self, context: BuildContext) -> Iterable[InvalidParamError]:
        """``mask_channels`` must be 0, 1 or the run's channel count."""
        return check_mask_context(self.mask_channels, context)

    def stage_channels(self) -> list[int]:
        """Output channels of each stage: ``base_channels * 2**i``, capped."""
        return [min(self.base_channels << i, self.max_channels) for i in range(self.n_stages)]

    def min_input_size(self) -> int:
        """Smallest size per axis that trains with any batch size, including 1.

        Each stage maps ``n`` to ``n // 2`` (conv 4, stride 2, padding 1), which needs ``n >= 2``;
        a norm layer after the last stage needs 2 values per axis: ``2**(n_stages + 1)``.
        """
        return 1 << (self.n_stages + (1 if has_norm_layer(self.norm) else 0))


@register_discriminator(
    "esrgan",
    params=ESRGANDiscriminatorParams,
    capabilities=Capabilities(
        spatial_dims=frozenset({2, 3}),
        # for the default parameters; ESRGANDiscriminatorParams.min_input_size() for others
        min_input_size=ESRGANDiscriminatorParams().min_input_size(),
        channels_last_safe=True,
        receptive_field=None,  # global average pooling: the logit sees the whole input
        conditioning=frozenset({"mask"}),
    ),
)
class ESRGANDiscriminator(nn.Module):
    """ESRGAN's VGG-style discriminator with a global-pooling head, so any input size works.

    ``forward(x[B, C, *S]) -> logits[B, 1]`` (raw). Stage ``i``: conv 3 stride 1 → norm →
    LeakyReLU(0.2) → conv 4 stride 2 → norm → LeakyReLU, with ``base * 2**i`` channels up to
    ``max_channels`` (the first conv has a bias and no norm). ESRGAN's flatten + dense 100 + dense
    1, tied to 128-pixel inputs, become global average pooling + 1x1 convs.
    ``features(x)`` returns every stage's output, for feature matching. With ``mask_channels``
    the hole mask ``cond.holes`` enters as extra input channels.

    Args:
        spatial_dims: 2 or 3.
        in_channels: bands of the images scored.
        params: architecture parameters (defaults: ESRGAN's VGG-128 widths).
    """

    spatial_dims: SpatialDims
    in_channels: int

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        params: ESRGANDiscriminatorParams | None = None,
    ) -> None:
        super().__init__()
        params = ESRGANDiscriminatorParams() if params is None else params
        check_arguments("ESRGANDiscriminator", spatial_dims, in_channels)
        check_mask_channels("ESRGANDiscriminator", params.mask_channels, in_channels)
        self.spatial_dims = spatial_dims
        self.in_channels = in_channels
        self.params = params
        # below this the stride-2 convs fail whatever the batch: checked in forward
        self.min_input_size = 1 << params.n_stages
        spectral = params.norm == "spectral"

        stages: list[nn.Module] = []
        channels = in_channels + params.mask_channels
        for index, out_channels in enumerate(params.stage_channels()):
            first: nn.Module
            if index == 0:
                first = nn.Sequential(
                    make_conv(
                        spatial_dims, channels, out_channels, 3, padding=1, spectral=spectral
                    ),
                    make_activation("leaky_relu", negative_slope=NEGATIVE_SLOPE),
                )
            else:
                first = conv_norm_act(
                    spatial_dims, channels, out_channels, 3, stride=1, padding=1, norm=params.norm
                )
            down = conv_norm_act(
                spatial_dims, out_channels, out_channels, 4, stride=2, padding=1, norm=params.norm
            )
            stages.append(nn.Sequential(first, down))
            channels = out_channels
        self.stages = nn.ModuleList(stages)
        self.head = nn.Sequential(
            adaptive_avg_pool(spatial_dims)(1),
            make_conv(spatial_dims, channels, params.head_channels, 1, spectral=spectral),
            make_activation("leaky_relu", negative_slope=NEGATIVE_SLOPE),
            make_conv(spatial_dims, params.head_channels, 1, 1, spectral=spectral),
            nn.Flatten(1),
        )

    def forward(self, x: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Score ``x[B, C, *S]``: raw logits ``[B, 1]``."""
        logits: Tensor = self.head(self.features(x, cond)[-1])
        return logits

    def features(self, x: Tensor, cond: Conditioning | None = None) -> list[Tensor]:
        """Every stage's output, shallow to deep; stage ``i`` has size ``S // 2**(i + 1)``."""
        check_input(
            "ESRGANDiscriminator", x, self.spatial_dims, self.in_channels, self.min_input_size
        )
        x = with_mask("ESRGANDiscriminator", x, cond, self.params.mask_channels)
        return collect_features(self.stages, x)
