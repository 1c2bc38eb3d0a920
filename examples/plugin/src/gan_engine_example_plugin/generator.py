"""``nearest_conv``: nearest-neighbour upsampling, then convolutions at the output resolution."""

from __future__ import annotations

from typing import Self

import attrs
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.generators import checks
from gan_engine.nn.interpolate import upsample
from gan_engine.nn.layers import conv
from gan_engine.nn.receptive import (
    chain,
    conv_span,
    interpolated_up_span,
    nearest_up_span,
    radius,
    union,
)
from gan_engine.params import at_least
from gan_engine.registry import Capabilities, register_generator
from gan_engine.types import Conditioning, SpatialDims


@attrs.frozen(kw_only=True)
class NearestConvParams:
    """Parameters of :class:`NearestConvGenerator`.

    Attributes:
        width: feature channels of the hidden convolutions.
        depth: hidden convolutions (3x3, or 3x3x3 in 3D) after the first one.
    """

    width: int = attrs.field(default=32, validator=at_least(1))
    depth: int = attrs.field(default=2, validator=at_least(0))

    @classmethod
    def tiny(cls) -> Self:
        """The smallest sensible configuration, for contract tests and smoke runs."""
        return cls(width=4, depth=0)

    def receptive_field(self, scale: int) -> int:
        """Radius in LR pixels of what an output pixel reads: tiles overlap by this much.

        Nearest upsampling, then ``depth + 2`` 3x3 convolutions at the output resolution; the
        bicubic skip reads 2 LR pixels either side.
        """
        convs = chain(nearest_up_span(scale), conv_span(self.depth + 2))
        return radius(union(convs, interpolated_up_span(scale, 2)), scale)


@register_generator(
    "nearest_conv",
    params=NearestConvParams,
    capabilities=Capabilities(spatial_dims=frozenset({2, 3})),
)
class NearestConvGenerator(nn.Module):
    """Nearest-neighbour upsampling, convolutions at the output resolution, plus a bicubic skip.

    ``forward(lr[B, C_in, *S]) -> sr[B, C_out, *(S * scale)]`` in 2D and 3D, any integer scale.
    Written once for both: the convolution class comes from ``gan_engine.nn.layers.conv(dims)``.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        out_channels: int,
        scale: int,
        params: NearestConvParams | None = None,
    ) -> None:
        super().__init__()
        params = params or NearestConvParams()
        # the shared checks: supported dims, channel counts, and the skip's equal band counts
        checks.check_arguments(
            "nearest_conv", spatial_dims, in_channels, out_channels, global_skip=True
        )
        self.spatial_dims = spatial_dims
        self.in_channels, self.out_channels, self.scale = in_channels, out_channels, scale
        layer = conv(spatial_dims)
        layers: list[nn.Module] = [layer(in_channels, params.width, 3, padding=1), nn.ReLU()]
        for _ in range(params.depth):
            layers += [layer(params.width, params.width, 3, padding=1), nn.ReLU()]
        layers.append(layer(params.width, out_channels, 3, padding=1))
        self.body = nn.Sequential(*layers)

    def forward(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Super-resolve ``lr``; ``cond`` is ignored."""
        checks.check_input("nearest_conv", lr, self.spatial_dims, self.in_channels)
        nearest = F.interpolate(lr, scale_factor=self.scale, mode="nearest")
        detail: Tensor = self.body(nearest)
        return upsample(lr, self.scale) + detail
