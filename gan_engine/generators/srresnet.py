"""SRResNet (Ledig et al. 2017) for 2D and 3D and any band count, with a bicubic global skip.

The body block is selectable (:mod:`gan_engine.generators.body_blocks`): ``res`` (the paper's),
``rcab`` (RCAN), ``rrdb`` (ESRGAN) or ``lka`` (VAN large-kernel attention).
"""

from __future__ import annotations

from typing import Literal, Self, TypeAlias, get_args

import attrs
import torch
from torch import Tensor, nn

from gan_engine.generators import checks
from gan_engine.generators.body_blocks import BLOCK_RADII, BODY_BLOCKS, BlockKind
from gan_engine.nn.activation import ACTIVATION_KINDS, ActivationKind, make_activation
from gan_engine.nn.attention import LkaGate
from gan_engine.nn.inference_forms import InferenceForms, add_scaled, run_layers
from gan_engine.nn.interpolate import upsample
from gan_engine.nn.layers import conv
from gan_engine.nn.norm import make_norm
from gan_engine.nn.pixel_shuffle import SubpixelUpsample
from gan_engine.nn.receptive import (
    SpanMap,
    chain,
    conv_span,
    interpolated_up_span,
    nearest_up_span,
    radius,
    union,
)
from gan_engine.nn.reconstruction import reconstruct
from gan_engine.params import at_least, in_range, odd, one_of
from gan_engine.registry import Capabilities, register_generator
from gan_engine.types import Conditioning, SpatialDims

GeneratorNorm: TypeAlias = Literal["none", "batch"]
OutputActivation: TypeAlias = Literal["none", "tanh"]

SCALES: frozenset[int] = frozenset({2, 3, 4, 8})
"""Supported upscaling factors: x2 sub-pixel stages for 2, 4 and 8, one x3 stage for 3."""

SKIP_TAPS = 2
"""Input pixels either side read by the global skip's bicubic upsampling (1 for trilinear)."""

TAIL_INIT_GAIN = 0.1
"""Factor on the default init of the last convolution when the global skip is on (see SRResNet)."""


@attrs.frozen(kw_only=True)
class SRResNetParams:
    """Parameters of :class:`SRResNet`.

    Like every component parameter class it offers ``tiny()``: a very small configuration (a few
    channels, one block) that the registry contract tests and smoke runs build in every declared
    spatial dim; it is not meant to give good results.

    Attributes:
        n_channels: feature channels of the head, body and upsampler.
        n_blocks: number of body blocks.
        block: body block type: ``res`` (conv → norm → act → conv → norm plus skip), ``rcab``
            (conv → act → conv → channel attention plus skip), ``rrdb`` (three residual dense
            blocks of five convs plus skip; LeakyReLU 0.2) or ``lka`` (1x1 conv → act →
            large-kernel attention → 1x1 conv plus skip).
        kernel_size: odd kernel size of the body and upsampler convolutions.
        head_kernel_size: odd kernel size of the first and last convolutions (9 in the paper).
        norm: normalisation in ``res`` blocks and after the body (``none`` or ``batch``; the paper
            uses batch norm, later work such as EDSR drops it).
        activation: activation of the head, upsampler and ``res``/``rcab``/``lka`` blocks.
        global_skip: add ``upsample(lr)`` (bicubic in 2D, trilinear in 3D) to the output, so the
            network learns the residual; needs ``in_channels == out_channels``.
        residual_scale: factor on each block's residual branch, in ``(0, 1]`` (ESRGAN uses 0.2
            with ``rrdb``, on both the dense blocks and the RRDB).
        reduction: channel reduction of the channel attention bottleneck (``rcab``).
        growth_channels: channels each dense conv adds (``rrdb``).
        lka_kernel_size: odd size of the large kernel approximated by ``lka`` blocks (21 in VAN).
        lka_dilation: dilation of the ``lka`` dilated depthwise conv (3 in VAN).
        lka_conv_kernel_size: odd kernel of the two convs around the ``lka`` attention (1 in
            VAN, 3 in opensr-srgan).
        lka_gate: ``lka`` gates its input by the attention map (``linear``, VAN) or by its
            sigmoid (``sigmoid``, opensr-srgan).
        dense_skip: each dense block of an ``rrdb`` block has its own scaled skip (ESRGAN);
            ``false``: only the RRDB's outer skip (opensr-srgan).
        output_activation: applied to the output last: ``none`` or ``tanh`` (the SRGAN paper
            and opensr-srgan's SRResNet, for data normalised to ``[-1, 1]``).
    """

    n_channels: int = attrs.field(default=64, validator=at_least(1))
    n_blocks: int = attrs.field(default=16, validator=at_least(1))
    block: BlockKind = attrs.field(default="res", validator=one_of(get_args(BlockKind)))
    kernel_size: int = attrs.field(default=3, validator=[at_least(1), odd()])
    head_kernel_size: int = attrs.field(default=9, validator=[at_least(1), odd()])
    norm: GeneratorNorm = attrs.field(default="none", validator=one_of(get_args(GeneratorNorm)))
    activation: ActivationKind = attrs.field(default="prelu", validator=one_of(ACTIVATION_KINDS))
    global_skip: bool = True
    residual_scale: float = attrs.field(default=1.0, validator=in_range(0.0, 1.0, low_open=True))
    reduction: int = attrs.field(default=16, validator=at_least(1))
    growth_channels: int = attrs.field(default=32, validator=at_least(1))
    lka_kernel_size: int = attrs.field(default=21, validator=[at_least(3), odd()])
    lka_dilation: int = attrs.field(default=3, validator=at_least(1))
    lka_conv_kernel_size: int = attrs.field(default=1, validator=[at_least(1), odd()])
    lka_gate: LkaGate = attrs.field(default="linear", validator=one_of(get_args(LkaGate)))
    dense_skip: bool = True
    output_activation: OutputActivation = attrs.field(
        default="none", validator=one_of(get_args(OutputActivation))
    )

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for contract tests and smoke runs."""
        return cls(n_channels=8, n_blocks=1, head_kernel_size=3)

    def receptive_field(self, scale: int | None = None) -> int | None:
        """Receptive-field radius in LR pixels at ``scale`` (the largest over all scales if None).

        Output pixel ``p`` depends on no LR pixel farther than this from ``p // scale`` along any
        axis, so it is a safe tiling overlap. ``None`` for ``rcab`` bodies, whose channel
        attention averages over the whole input.
        """
        scales = sorted(SCALES) if scale is None else [scale]
        radii = [span_radius(self, factor) for factor in scales]
        return None if None in radii else max(r for r in radii if r is not None)


def span_radius(params: SRResNetParams, scale: int) -> int | None:
    """Receptive-field radius of an SRResNet-shaped generator (see ``receptive_field``)."""
    network = srresnet_span(params, scale)
    return None if network is None else radius(network, scale)


def srresnet_span(params: SRResNetParams, scale: int) -> SpanMap | None:
    """The span map of SRResNet's layers (head, body, upsampler, tail, global skip); ``None`` if unbounded."""
    block = BLOCK_RADII[params.block](params)
    if block is None:
        return None
    half, head = params.kernel_size // 2, params.head_kernel_size // 2
    layers = [conv_span(head), conv_span(params.n_blocks * block), conv_span(half)]
    for factor in upsampling_factors(scale):
        layers += [conv_span(half), nearest_up_span(factor)]
    network = chain(*layers, conv_span(head))
    if params.global_skip:
        network = union(network, interpolated_up_span(scale, SKIP_TAPS))
    return network


def upsampling_factors(scale: int) -> list[int]:
    """Per-stage factors of the sub-pixel upsampler: x2 stages for powers of two, one x3 for 3."""
    if scale not in SCALES:
        msg = f"SRResNet: scale must be one of {sorted(SCALES)}, got {scale}"
        raise ValueError(msg)
    return [3] if scale == 3 else [2] * (scale.bit_length() - 1)


def check_arguments(
    owner: str,
    spatial_dims: int,
    in_channels: int,
    out_channels: int,
    scale: int,
    params: SRResNetParams,
) -> None:
    """Validate an SRResNet-shaped generator's constructor arguments, naming ``owner``."""
    checks.check_arguments(
        owner, spatial_dims, in_channels, out_channels, global_skip=params.global_skip
    )
    upsampling_factors(scale)


def reconstruction_layers(
    spatial_dims: SpatialDims, out_channels: int, scale: int, params: SRResNetParams
) -> tuple[nn.Module, nn.Module, nn.Module]:
    """The layers after an SRResNet-style body: ``(body_end, upsampler, tail)``.

    ``body_end`` is conv + norm (closing the skip around the body), ``upsampler`` the x2/x3
    sub-pixel stages, ``tail`` the last conv to ``out_channels``. With ``global_skip`` the tail
    starts with small weights so the untrained network outputs nearly the interpolated input.
    """
    conv_cls = conv(spatial_dims)
    width, kernel, head_kernel = params.n_channels, params.kernel_size, params.head_kernel_size
    body_end = nn.Sequential(
        conv_cls(width, width, kernel, padding=kernel // 2, bias=params.norm == "none"),
        make_norm(params.norm, spatial_dims, width),
    )
    stages: list[nn.Module] = []
    for factor in upsampling_factors(scale):
        stages.append(SubpixelUpsample(spatial_dims, width, width, factor, kernel_size=kernel))
        stages.append(make_activation(params.activation))
    tail = conv_cls(width, out_channels, head_kernel, padding=head_kernel // 2)
    if params.global_skip:
        # small, not zero: a zero tail would block the gradient to everything before it
        with torch.no_grad():
            tail.weight.mul_(TAIL_INIT_GAIN)
            if tail.bias is not None:
                tail.bias.mul_(TAIL_INIT_GAIN)
    return body_end, nn.Sequential(*stages), tail


def reconstruct_output(
    upsampler: nn.Module,
    tail: nn.Module,
    head: Tensor,
    closed: Tensor,
    lr: Tensor,
    *,
    scale: int,
    global_skip: bool,
    output_activation: OutputActivation = "none",
    inference: bool = False,
) -> Tensor:
    """The end of an SRResNet-style forward: ``act(reconstruct(head + closed) [+ upsample(lr)])``.

    ``head + closed`` closes the skip around the body; ``upsample(lr, scale)`` is added with the
    global skip; ``act`` is the ``output_activation``. ``reconstruct`` is
    :func:`gan_engine.nn.reconstruction.reconstruct` over the upsampler's stages and the tail. In
    the ``inference`` form (the generator's ``inference_form``) the sums and the activation are
    written into the network's own maps (``closed`` and the reconstruction), never into ``head`` or
    ``lr``, and the reconstruction runs in bands.
    """
    eager = inference
    features = add_scaled(closed, head, in_place=eager)
    sr = reconstruct([*upsampler.children(), tail], features, inference=eager)
    if global_skip:
        skip = upsample(lr, scale)
        sr = sr.add_(skip) if eager else sr + skip
    if output_activation == "tanh":
        return sr.tanh_() if eager else sr.tanh()
    return sr


@register_generator(
    "srresnet",
    params=SRResNetParams,
    capabilities=Capabilities(
        spatial_dims=frozenset({2, 3}),
        scales=SCALES,
        # 2, not 1: with norm="batch", a 1-pixel batch of one has a single value per channel, which
        # batch norm rejects in training
        min_input_size=2,
        channels_last_safe=True,
        # for the default parameters; SRResNetParams.receptive_field() gives it for others
        receptive_field=SRResNetParams().receptive_field(),
    ),
)
class SRResNet(InferenceForms):
    """SRResNet: residual body at low resolution, then sub-pixel upsampling (Ledig et al. 2017).

    ``forward(lr[B, C_in, *S]) -> sr[B, C_out, *(S * scale)]`` in 2D and 3D. Head conv → body
    blocks → conv + norm, with a skip around the body → x2 (or x3) sub-pixel stages → tail conv.
    With ``global_skip`` the output is ``tail(...) + upsample(lr)`` and the tail starts with small
    weights, so the untrained network already gives nearly the interpolated input, not noise.

    Args:
        spatial_dims: 2 or 3.
        in_channels: bands of the low-resolution input.
        out_channels: bands of the output.
        scale: upscaling factor per axis, one of 2, 3, 4, 8.
        params: architecture parameters (defaults: the paper's 64 channels and 16 blocks).
    """

    spatial_dims: SpatialDims
    in_channels: int
    out_channels: int
    scale: int

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        out_channels: int,
        scale: int,
        params: SRResNetParams | None = None,
    ) -> None:
        super().__init__()
        params = SRResNetParams() if params is None else params
        check_arguments("SRResNet", spatial_dims, in_channels, out_channels, scale, params)
        self.spatial_dims = spatial_dims
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.scale = scale
        self.params = params

        conv_cls = conv(spatial_dims)
        width, head_kernel = params.n_channels, params.head_kernel_size
        self.head = nn.Sequential(
            conv_cls(in_channels, width, head_kernel, padding=head_kernel // 2),
            make_activation(params.activation),
        )
        build_block = BODY_BLOCKS[params.block]
        self.body = nn.Sequential(
            *(build_block(spatial_dims, params) for _ in range(params.n_blocks))
        )
        self.body_end, self.upsampler, self.tail = reconstruction_layers(
            spatial_dims, out_channels, scale, params
        )

    def forward(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Super-resolve ``lr[B, C_in, *S]`` to ``[B, C_out, *(S * scale)]``; ignores ``cond``."""
        checks.check_input("SRResNet", lr, self.spatial_dims, self.in_channels)
        eager = self.inference_form  # then in place on the network's own maps
        head = run_layers(self.head, lr, in_place=eager)
        closed: Tensor = self.body_end(self.body(head))
        return reconstruct_output(
            self.upsampler,
            self.tail,
            head,
            closed,
            lr,
            scale=self.scale,
            global_skip=self.params.global_skip,
            output_activation=self.params.output_activation,
            inference=eager,
        )
