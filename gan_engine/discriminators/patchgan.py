"""PatchGAN (pix2pix, Isola et al. 2017) for 2D and 3D: one logit per overlapping input patch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

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
    CONV_NORMS,
    ConvNorm,
    check_arguments,
    check_input,
    collect_features,
    conv_norm_act,
    make_conv,
)
from gan_engine.errors import InvalidParamError
from gan_engine.nn.layers import avg_pool
from gan_engine.params import at_least, one_of
from gan_engine.registry import Capabilities, register_discriminator
from gan_engine.types import BuildContext, Conditioning, SpatialDims

KERNEL_SIZE = 4
PADDING = 1


@attrs.frozen(kw_only=True)
class PatchGANParams:
    """Parameters of :class:`PatchGANDiscriminator`.

    Attributes:
        base_channels: channels of the first layer; they double at each further layer.
        max_channels: cap on the channels of any layer (``8 * base`` in pix2pix).
        n_layers: stride-2 layers; each doubles the patch size (3 gives 70-pixel patches).
        norm: ``batch``, ``instance``, ``none`` or ``spectral`` (spectral norm on every conv and
            no norm layer). The first layer is never normalised by a norm layer.
        mask_channels: channels of ``cond.holes`` appended to the image (0: no mask input; 1 or
            the image's channels).
        embedding_dim: width of ``cond.embedding`` scored by a projection head against each
            patch's features (``None``: no projection head).
    """

    base_channels: int = attrs.field(default=64, validator=at_least(1))
    max_channels: int = attrs.field(default=512, validator=at_least(1))
    n_layers: int = attrs.field(default=3, validator=at_least(1))
    norm: ConvNorm = attrs.field(default="batch", validator=one_of(CONV_NORMS))
    mask_channels: int = attrs.field(default=0, validator=at_least(0))
    embedding_dim: int | None = attrs.field(default=None, validator=at_least(1))

    @max_channels.validator
    def _at_least_base(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value < self.base_channels:
            message = f"must be >= base_channels ({self.base_channels}), got {value}"
            raise InvalidParamError(attribute.name, message)

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for contract tests and smoke runs."""
        return cls(base_channels=8, max_channels=16, n_layers=1)

    def check(self, context: BuildContext) -> Iterable[InvalidParamError]:
        """``mask_channels`` must be 0, 1 or the run's channel count."""
        return check_mask_context(self.mask_channels, context)

    def layer_channels(self) -> list[int]:
        """Output channels of the ``n_layers + 1`` conv units before the 1-channel output conv."""
        return [min(self.base_channels << i, self.max_channels) for i in range(self.n_layers + 1)]

    def output_size(self, size: int) -> int:
        """Logits along an axis of ``size`` pixels: ``size // 2**n_layers - 2``."""
        return size // (1 << self.n_layers) - 2

    def min_input_size(self) -> int:
        """Smallest size per axis giving at least one logit: ``3 * 2**n_layers``.

        Norm layers then also have at least 2 values per axis, so a batch of one trains.
        """
        return 3 << self.n_layers

    def receptive_field_size(self) -> int:
        """Width in pixels of the patch each logit sees (70 for 3 layers)."""
        width = 1
        for stride in reversed([2] * self.n_layers + [1, 1]):
            width = (width - 1) * stride + KERNEL_SIZE
        return width

    def receptive_field(self) -> int:
        """Radius in pixels around a logit's patch centre that covers its whole patch."""
        return self.receptive_field_size() // 2


@register_discriminator(
    "patchgan",
    params=PatchGANParams,
    capabilities=Capabilities(
        spatial_dims=frozenset({2, 3}),
        # for the default parameters; PatchGANParams.min_input_size() gives it for others
        min_input_size=PatchGANParams().min_input_size(),
        channels_last_safe=True,
        receptive_field=PatchGANParams().receptive_field(),
        conditioning=frozenset({"mask", "embedding"}),
    ),
)
class PatchGANDiscriminator(nn.Module):
    """PatchGAN: strided 4x4 conv units, then a 1-channel conv: a logit per input patch.

    ``forward(x[B, C, *S]) -> logits[B, 1, *S']`` with ``S' = S // 2**n_layers - 2`` (raw, no
    sigmoid). Units: conv 4 stride 2 → LeakyReLU(0.2), then ``n_layers - 1`` times conv 4 stride 2
    → norm → LeakyReLU, then conv 4 stride 1 → norm → LeakyReLU, then conv 4 stride 1 to 1 channel
    (padding 1 throughout). Fully convolutional: any input of ``min_input_size`` or more.

    Conditioning (off by default): with ``mask_channels`` the hole mask ``cond.holes`` enters as
    extra input channels; with ``embedding_dim`` each patch's logit gains ``<h, W e>``, ``h`` being
    the last unit's features averaged over the output conv's 4-pixel window, so that ``h`` lies on
    the logit grid.

    Args:
        spatial_dims: 2 or 3.
        in_channels: bands of the images scored.
        params: architecture parameters (defaults: pix2pix's 64 channels and 3 layers).
    """

    spatial_dims: SpatialDims
    in_channels: int

    def __init__(
        self, spatial_dims: SpatialDims, in_channels: int, params: PatchGANParams | None = None
    ) -> None:
        super().__init__()
        params = PatchGANParams() if params is None else params
        check_arguments("PatchGANDiscriminator", spatial_dims, in_channels)
        check_mask_channels("PatchGANDiscriminator", params.mask_channels, in_channels)
        self.spatial_dims = spatial_dims
        self.in_channels = in_channels
        self.params = params
        self.min_input_size = params.min_input_size()

        units: list[nn.Module] = []
        channels = in_channels + params.mask_channels
        for index, out_channels in enumerate(params.layer_channels()):
            norm: ConvNorm = params.norm
            if index == 0 and norm != "spectral":
                norm = "none"
            stride = 2 if index < params.n_layers else 1
            units.append(
                conv_norm_act(
                    spatial_dims,
                    channels,
                    out_channels,
                    KERNEL_SIZE,
                    stride=stride,
                    padding=PADDING,
                    norm=norm,
                )
            )
            channels = out_channels
        self.units = nn.ModuleList(units)
        self.head = make_conv(
            spatial_dims,
            channels,
            1,
            KERNEL_SIZE,
            padding=PADDING,
            spectral=params.norm == "spectral",
        )
        # built last, so the other layers draw the same initial weights with or without it
        self.projection: EmbeddingProjection | None = None
        if params.embedding_dim is not None:
            self.projection = EmbeddingProjection(
                params.embedding_dim, channels, spectral=params.norm == "spectral"
            )
        # the head's window, so that pooled features lie on the logit grid (no parameters); the
        # padding is explicit because pooling layers refuse inputs smaller than their kernel
        self.patch_mean = avg_pool(spatial_dims)(KERNEL_SIZE, stride=1)

    def forward(self, x: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Score every patch of ``x[B, C, *S]``: raw logits ``[B, 1, *S']``."""
        h = self.features(x, cond)[-1]
        logits: Tensor = self.head(h)
        if self.projection is not None:
            embedding = embedding_of(
                "PatchGANDiscriminator", cond, self.projection.embedding_dim, x.shape[0]
            )
            window = self.patch_mean(F.pad(h, [PADDING] * (2 * self.spatial_dims)))
            logits = logits + self.projection(window, embedding)
        return logits

    def features(self, x: Tensor, cond: Conditioning | None = None) -> list[Tensor]:
        """The output of every conv unit, shallow to deep (the mask, if any, is an input channel)."""
        check_input(
            "PatchGANDiscriminator", x, self.spatial_dims, self.in_channels, self.min_input_size
        )
        x = with_mask("PatchGANDiscriminator", x, cond, self.params.mask_channels)
        return collect_features(self.units, x)
