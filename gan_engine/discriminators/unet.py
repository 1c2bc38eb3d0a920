"""The U-Net discriminator with spectral norm (Real-ESRGAN, Wang et al. 2021): a logit per pixel.

Real-ESRGAN's own state dicts (``conv0`` ... ``conv9``, old spectral-norm ``weight_orig`` keys) are
renamed on load (:mod:`gan_engine.discriminators.unet_layout`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal, Self

import attrs
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.discriminators.conditioning import (
    EmbeddingProjection,
    check_mask_channels,
    check_mask_context,
    embedding_of,
    with_mask,
)
from gan_engine.discriminators.conv_norm import (
    NEGATIVE_SLOPE,
    check_arguments,
    check_input,
    make_conv,
)
from gan_engine.discriminators.unet_layout import (
    REFINE_CONVS,
    StateDict,
    infer_architecture,
    to_unet_layout,
)
from gan_engine.errors import InvalidParamError
from gan_engine.nn.receptive import (
    SpanMap,
    chain,
    conv_span,
    interpolated_up_span,
    radius,
    strided_span,
    union,
)
from gan_engine.params import at_least
from gan_engine.registry import Capabilities, register_discriminator
from gan_engine.types import BuildContext, Conditioning, SpatialDims
from gan_engine.weights import load_strict, read_state_dict


@attrs.frozen(kw_only=True)
class UNetDiscriminatorParams:
    """Parameters of :class:`UNetDiscriminator`.

    Attributes:
        base_channels: channels at full resolution; they double at each level down.
        n_levels: stride-2 downsampling levels (3 in Real-ESRGAN).
        skip_connection: add each encoder level to the decoder at the same resolution.
        spectral_norm: spectral norm on every conv but the first and the last (as Real-ESRGAN),
            and on the projection head.
        mask_channels: channels of ``cond.holes`` appended to the image (0: no mask input; 1 or
            the image's channels).
        embedding_dim: width of ``cond.embedding`` scored by a projection head against each
            pixel's features (``None``: no projection head).
    """

    base_channels: int = attrs.field(default=64, validator=at_least(1))
    n_levels: int = attrs.field(default=3, validator=at_least(1))
    skip_connection: bool = True
    spectral_norm: bool = True
    mask_channels: int = attrs.field(default=0, validator=at_least(0))
    embedding_dim: int | None = attrs.field(default=None, validator=at_least(1))

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for contract tests and smoke runs."""
        return cls(base_channels=4, n_levels=2)

    def check(self, context: BuildContext) -> Iterable[InvalidParamError]:
        """``mask_channels`` must be 0, 1 or the run's channel count."""
        return check_mask_context(self.mask_channels, context)

    def level_channels(self) -> list[int]:
        """Channels at each level, full resolution first: ``base * 2**i``."""
        return [self.base_channels << i for i in range(self.n_levels + 1)]

    def min_input_size(self) -> int:
        """Smallest size per axis: every downsampling conv (4, stride 2) needs 2 pixels or more."""
        return 1 << self.n_levels

    def receptive_field(self) -> int:
        """Radius in pixels beyond which a pixel's logit does not depend on the input."""
        one = conv_span(1)
        encoder: list[SpanMap] = [one]
        for _ in range(self.n_levels):
            encoder.append(chain(encoder[-1], strided_span(4, 2, 1)))
        decoder = encoder[-1]
        for level in reversed(range(self.n_levels)):
            up = chain(decoder, interpolated_up_span(2, 1), one)
            decoder = union(up, encoder[level]) if self.skip_connection else up
        refine = [one] * REFINE_CONVS
        return radius(chain(decoder, *refine, one), period=1 << (self.n_levels + 1))


@register_discriminator(
    "unet",
    params=UNetDiscriminatorParams,
    capabilities=Capabilities(
        spatial_dims=frozenset({2, 3}),
        # for the default parameters; UNetDiscriminatorParams.min_input_size() gives it for others
        min_input_size=UNetDiscriminatorParams().min_input_size(),
        channels_last_safe=True,
        receptive_field=UNetDiscriminatorParams().receptive_field(),
        conditioning=frozenset({"mask", "embedding"}),
    ),
)
class UNetDiscriminator(nn.Module):
    """U-Net discriminator: per-pixel real/fake logits at the input's resolution.

    ``forward(x[B, C, *S]) -> logits[B, 1, *S]`` (raw). Encoder: conv 3 → LeakyReLU(0.2), then
    ``n_levels`` times conv 4 stride 2 → LeakyReLU. Decoder: per level, (bi/tri)linear resize to
    the encoder feature's size (so sizes need not be divisible by ``2**n_levels``) → conv 3 →
    LeakyReLU, plus that encoder feature. Then two conv 3 → LeakyReLU and a conv 3 to one channel.

    Conditioning (off by default): with ``mask_channels`` the hole mask ``cond.holes`` enters as
    extra input channels; with ``embedding_dim`` each pixel's logit gains ``<h, W e>``, ``h`` being
    the refined features at that pixel.

    Args:
        spatial_dims: 2 or 3.
        in_channels: bands of the images scored.
        params: architecture parameters (defaults: Real-ESRGAN's 64 channels, 3 levels).
    """

    spatial_dims: SpatialDims
    in_channels: int

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        params: UNetDiscriminatorParams | None = None,
    ) -> None:
        super().__init__()
        params = UNetDiscriminatorParams() if params is None else params
        check_arguments("UNetDiscriminator", spatial_dims, in_channels)
        check_mask_channels("UNetDiscriminator", params.mask_channels, in_channels)
        self.spatial_dims = spatial_dims
        self.in_channels = in_channels
        self.params = params
        self.min_input_size = params.min_input_size()
        self.mode: Literal["bilinear", "trilinear"] = (
            "bilinear" if spatial_dims == 2 else "trilinear"
        )
        spectral = params.spectral_norm
        widths = params.level_channels()

        self.first = make_conv(
            spatial_dims, in_channels + params.mask_channels, widths[0], 3, padding=1
        )
        self.down = nn.ModuleList(
            make_conv(
                spatial_dims,
                widths[i],
                widths[i + 1],
                4,
                stride=2,
                padding=1,
                bias=False,
                spectral=spectral,
            )
            for i in range(params.n_levels)
        )
        self.up = nn.ModuleList(
            make_conv(
                spatial_dims, widths[i + 1], widths[i], 3, padding=1, bias=False, spectral=spectral
            )
            for i in reversed(range(params.n_levels))
        )
        self.refine = nn.ModuleList(
            make_conv(
                spatial_dims, widths[0], widths[0], 3, padding=1, bias=False, spectral=spectral
            )
            for _ in range(REFINE_CONVS)
        )
        self.last = make_conv(spatial_dims, widths[0], 1, 3, padding=1)
        self.act = nn.LeakyReLU(NEGATIVE_SLOPE)
        # built last, so the other layers draw the same initial weights with or without it
        self.projection: EmbeddingProjection | None = None
        if params.embedding_dim is not None:
            self.projection = EmbeddingProjection(
                params.embedding_dim, widths[0], spectral=spectral
            )

    def forward(self, x: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Score every pixel of ``x[B, C, *S]``: raw logits ``[B, 1, *S]``."""
        h = self.features(x, cond)[-1]
        logits: Tensor = self.last(h)
        if self.projection is not None:
            embedding = embedding_of(
                "UNetDiscriminator", cond, self.projection.embedding_dim, x.shape[0]
            )
            logits = logits + self.projection(h, embedding)
        return logits

    def features(self, x: Tensor, cond: Conditioning | None = None) -> list[Tensor]:
        """Encoder outputs (full resolution to coarsest), decoder outputs, then the refined map."""
        check_input(
            "UNetDiscriminator", x, self.spatial_dims, self.in_channels, self.min_input_size
        )
        x = with_mask("UNetDiscriminator", x, cond, self.params.mask_channels)
        encoder = [self.act(self.first(x))]
        for conv in self.down:
            encoder.append(self.act(conv(encoder[-1])))
        features = list(encoder)
        h = encoder[-1]
        for conv, skip in zip(self.up, reversed(encoder[:-1]), strict=True):
            h = F.interpolate(h, size=skip.shape[2:], mode=self.mode, align_corners=False)
            h = self.act(conv(h))
            if self.params.skip_connection:
                h = h + skip
            features.append(h)
        for conv in self.refine:
            h = self.act(conv(h))
        features.append(h)
        return features

    def convert_state_dict(self, state: StateDict) -> StateDict:
        """Rename Real-ESRGAN keys (``conv0.weight``, ``conv1.weight_orig``, ...) to this module's."""
        return to_unet_layout(state)

    @classmethod
    def from_pretrained(cls, path: str | Path, *, skip_connection: bool = True) -> Self:
        """Build a U-Net discriminator that fits Real-ESRGAN weights in ``path``; load them strictly.

        Reads Real-ESRGAN's ``net_d`` files (``params`` wrapper included), ``.safetensors`` and
        Lightning checkpoints (``discriminator.`` keys). Dims, bands, width, levels and spectral norm
        are read off the weights; ``skip_connection`` (Real-ESRGAN's default, on) cannot be.

        Raises:
            GanEngineError: the file is missing or unreadable, or its keys or shapes do not fit.
        """
        state = read_state_dict(path, prefix="discriminator.")
        found = infer_architecture(state, str(path))
        params = UNetDiscriminatorParams(
            base_channels=found.base_channels,
            n_levels=found.n_levels,
            skip_connection=skip_connection,
            spectral_norm=found.spectral_norm,
        )
        dims: SpatialDims = 3 if found.spatial_dims == 3 else 2
        model = cls(dims, found.in_channels, params)
        load_strict(model, state, path)
        return model
