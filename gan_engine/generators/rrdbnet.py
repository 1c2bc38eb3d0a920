"""ESRGAN's RRDBNet (Wang et al. 2018) for 2D and 3D and any band count, loading pretrained weights.

Module names are BasicSR's (``conv_first``, ``body.N.rdb1.conv1``, ``conv_body``, ``conv_up1``,
``conv_hr``, ``conv_last``), so BasicSR / Real-ESRGAN state dicts load as they are; original ESRGAN
state dicts (``model.0.weight``, ...) are renamed on load (:mod:`gan_engine.generators.esrgan_layout`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal, Self, TypeAlias, get_args

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.generators import checks
from gan_engine.generators.esrgan_layout import StateDict, infer_architecture, to_basicsr_layout
from gan_engine.nn.dense import RRDB, rrdb_radius
from gan_engine.nn.inference_forms import InferenceForms, add_scaled
from gan_engine.nn.interpolate import NearestUpsample, upsample
from gan_engine.nn.layers import conv
from gan_engine.nn.pixel_shuffle import PixelShuffle, pixel_unshuffle
from gan_engine.nn.receptive import (
    SpanMap,
    chain,
    conv_span,
    interpolated_up_span,
    nearest_up_span,
    radius,
    strided_span,
    union,
)
from gan_engine.nn.reconstruction import reconstruct
from gan_engine.params import at_least, in_range, one_of
from gan_engine.registry import Capabilities, register_generator
from gan_engine.types import BuildContext, Conditioning, SpatialDims
from gan_engine.weights import load_strict, read_state_dict

SCALES: frozenset[int] = frozenset({2, 3, 4, 8})
"""x2, x4, x8: nearest x2 + conv stages (``conv_up1..3``); x3: one nearest x3 + conv stage."""

KERNEL_SIZE = 3
"""Kernel size of every convolution (fixed, as in ESRGAN, so that its weights load)."""

SKIP_TAPS = 2
"""Input pixels either side read by the optional global skip's bicubic upsampling."""

TAIL_INIT_GAIN = 0.1
"""Factor on the default init of ``conv_last`` when the global skip is on."""

Upsampler: TypeAlias = Literal["nearest", "subpixel"]
"""``nearest``: nearest-neighbour x2/x3 then conv + LeakyReLU (ESRGAN); ``subpixel``: conv to
``factor**dims`` times the width, pixel shuffle, PReLU (opensr-srgan's ESRGAN)."""


@attrs.frozen(kw_only=True)
class RRDBNetParams:
    """Parameters of :class:`RRDBNet` (defaults: ESRGAN's).

    Attributes:
        num_feat: trunk width.
        num_block: number of RRDBs in the trunk.
        num_grow_ch: growth channels of the dense blocks.
        residual_scale: factor on every dense block's and RRDB's residual branch, in ``(0, 1]``.
        negative_slope: LeakyReLU slope everywhere.
        global_skip: add ``upsample(lr)`` (bicubic in 2D, trilinear in 3D) to the output; not in
            ESRGAN (pretrained ESRGAN weights give other outputs with it on); needs
            ``in_channels == out_channels``.
        pixel_unshuffle: x2 the BasicSR / Real-ESRGAN way: pixel-unshuffle the input by 2 (so
            ``conv_first`` takes ``in_channels * 2**dims`` and input sizes must be even), then
            upsample x4 with ``conv_up1`` and ``conv_up2``. Only with scale 2.
        dense_skip: each dense block has its own scaled skip (ESRGAN); ``false``: only each
            RRDB's outer skip (opensr-srgan).
        upsampler: ``nearest`` (ESRGAN: nearest-neighbour, ``conv_upN``, LeakyReLU) or
            ``subpixel`` (opensr-srgan: ``conv_upN`` to ``factor**dims`` times the width, pixel
            shuffle, PReLU ``act_upN``).
    """

    num_feat: int = attrs.field(default=64, validator=at_least(1))
    num_block: int = attrs.field(default=23, validator=at_least(1))
    num_grow_ch: int = attrs.field(default=32, validator=at_least(1))
    residual_scale: float = attrs.field(default=0.2, validator=in_range(0.0, 1.0, low_open=True))
    negative_slope: float = attrs.field(default=0.2, validator=in_range(0.0, 1.0))
    global_skip: bool = False
    pixel_unshuffle: bool = False
    dense_skip: bool = True
    upsampler: Upsampler = attrs.field(default="nearest", validator=one_of(get_args(Upsampler)))

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for contract tests and smoke runs."""
        return cls(num_feat=8, num_block=1, num_grow_ch=4)

    def check(self, context: BuildContext) -> Iterator[InvalidParamError]:
        """``pixel_unshuffle`` needs scale 2."""
        if self.pixel_unshuffle and context.scale != 2:
            message = f"pixel-unshuffle RRDBNet is x2 only, the run has scale {context.scale}"
            yield InvalidParamError("pixel_unshuffle", message)

    def upsampling_factors(self, scale: int) -> list[int]:
        """Nearest-neighbour factors of ``conv_up1``, ``conv_up2``, ... for ``scale``."""
        if scale not in SCALES:
            msg = f"RRDBNet: scale must be one of {sorted(SCALES)}, got {scale}"
            raise ValueError(msg)
        if self.pixel_unshuffle:
            for error in self.check(BuildContext(2, 1, scale)):
                raise error
            return [2, 2]
        return [3] if scale == 3 else [2] * (scale.bit_length() - 1)

    def receptive_field(self, scale: int | None = None) -> int:
        """Receptive-field radius in LR pixels (a safe tiling overlap); the largest over scales if None.

        Output pixel ``p`` depends on no LR pixel farther than this from ``p // scale``.
        """
        scales = ([2] if self.pixel_unshuffle else sorted(SCALES)) if scale is None else [scale]
        return max(self._radius(factor) for factor in scales)

    def _radius(self, scale: int) -> int:
        one = conv_span(KERNEL_SIZE // 2)
        layers = [strided_span(2, 2, 0)] if self.pixel_unshuffle else []
        layers += [one, conv_span(self.num_block * rrdb_radius(KERNEL_SIZE)), one]
        layers += upsampling_spans(self.upsampling_factors(scale), self.upsampler)
        network = chain(*layers, one, one)
        if self.global_skip:
            network = union(network, interpolated_up_span(scale, SKIP_TAPS))
        return radius(network, scale)


def upsampling_spans(factors: list[int], upsampler: Upsampler) -> list[SpanMap]:
    """Span maps of the upsampling stages: conv after the nearest upsampling, or before a shuffle."""
    one = conv_span(KERNEL_SIZE // 2)
    spans: list[SpanMap] = []
    for factor in factors:
        stage = [nearest_up_span(factor), one]
        spans += stage if upsampler == "nearest" else stage[::-1]
    return spans


@register_generator(
    "rrdbnet",
    params=RRDBNetParams,
    capabilities=Capabilities(
        spatial_dims=frozenset({2, 3}),
        scales=SCALES,
        min_input_size=1,  # 2 with pixel_unshuffle (and even sizes)
        channels_last_safe=True,
        # for the default parameters; RRDBNetParams.receptive_field() gives it for others
        receptive_field=RRDBNetParams().receptive_field(),
    ),
)
class RRDBNet(InferenceForms):
    """ESRGAN generator: RRDB trunk, nearest-neighbour + conv upsampling, two HR convs.

    ``forward(lr[B, C_in, *S]) -> sr[B, C_out, *(S * scale)]`` in 2D and 3D:
    ``f = conv_first(lr)``; ``f = f + conv_body(body(f))``; per stage
    ``f = lrelu(conv_up_i(nearest(f, factor_i)))``; ``sr = conv_last(lrelu(conv_hr(f)))``. Stages are
    x2 (one for x2, two for x4, three for x8 as in the original ESRGAN code and forks with
    ``conv_up3``) or one x3 stage for x3 (as the original ESRGAN code builds it).

    Args:
        spatial_dims: 2 or 3.
        in_channels: bands of the low-resolution input.
        out_channels: bands of the output.
        scale: upscaling factor per axis, one of 2, 3, 4, 8.
        params: architecture parameters (defaults: ESRGAN's 64 wide, 23 RRDBs, growth 32).
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
        params: RRDBNetParams | None = None,
    ) -> None:
        super().__init__()
        params = RRDBNetParams() if params is None else params
        checks.check_arguments(
            "RRDBNet", spatial_dims, in_channels, out_channels, global_skip=params.global_skip
        )
        factors = params.upsampling_factors(scale)
        self.spatial_dims = spatial_dims
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.scale = scale
        self.params = params
        self.factors = factors

        conv_cls = conv(spatial_dims)
        width, padding = params.num_feat, KERNEL_SIZE // 2
        first_in = in_channels * 2**spatial_dims if params.pixel_unshuffle else in_channels
        self.conv_first = conv_cls(first_in, width, KERNEL_SIZE, padding=padding)
        self.body = nn.Sequential(
            *(
                RRDB(
                    spatial_dims,
                    width,
                    growth_channels=params.num_grow_ch,
                    kernel_size=KERNEL_SIZE,
                    residual_scale=params.residual_scale,
                    negative_slope=params.negative_slope,
                    dense_skip=params.dense_skip,
                )
                for _ in range(params.num_block)
            )
        )
        self.conv_body = conv_cls(width, width, KERNEL_SIZE, padding=padding)
        self.up_names = [f"conv_up{index}" for index in range(1, len(factors) + 1)]
        subpixel = params.upsampler == "subpixel"
        for name, factor in zip(self.up_names, factors, strict=True):
            up_width = width * factor**spatial_dims if subpixel else width
            self.add_module(name, conv_cls(width, up_width, KERNEL_SIZE, padding=padding))
            if subpixel:
                self.add_module(name.replace("conv_", "act_"), nn.PReLU())
        self.conv_hr = conv_cls(width, width, KERNEL_SIZE, padding=padding)
        self.conv_last = conv_cls(width, out_channels, KERNEL_SIZE, padding=padding)
        self.lrelu = nn.LeakyReLU(params.negative_slope)
        if params.global_skip:
            with torch.no_grad():
                self.conv_last.weight.mul_(TAIL_INIT_GAIN)
                if self.conv_last.bias is not None:
                    self.conv_last.bias.mul_(TAIL_INIT_GAIN)

    def forward(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Super-resolve ``lr[B, C_in, *S]`` to ``[B, C_out, *(S * scale)]``; ignores ``cond``."""
        multiple = 2 if self.params.pixel_unshuffle else 1
        checks.check_input("RRDBNet", lr, self.spatial_dims, self.in_channels, multiple=multiple)
        eager = self.inference_form  # then in place on the network's own maps, the HR part in bands
        feat = pixel_unshuffle(lr, 2) if self.params.pixel_unshuffle else lr
        feat = self.conv_first(feat)
        closed: Tensor = self.conv_body(self.body(feat))
        feat = add_scaled(closed, feat, in_place=eager)
        sr = reconstruct(self.reconstruction_layers(), feat, inference=eager)
        if not self.params.global_skip:
            return sr
        skip = upsample(lr, self.scale)
        return sr.add_(skip) if eager else sr + skip

    def reconstruction_layers(self) -> list[nn.Module]:
        """The upsampling stages and HR convolutions in forward order, for :func:`reconstruct`.

        ``nearest``: nearest x``f``, ``conv_upN``, LeakyReLU per stage; ``subpixel``: ``conv_upN``,
        pixel shuffle, PReLU ``act_upN``; then ``conv_hr``, LeakyReLU, ``conv_last``.
        """
        layers: list[nn.Module] = []
        for name, factor in zip(self.up_names, self.factors, strict=True):
            stage = self.get_submodule(name)
            if self.params.upsampler == "subpixel":
                act = self.get_submodule(name.replace("conv_", "act_"))
                layers += [stage, PixelShuffle(factor), act]
            else:
                layers += [NearestUpsample(factor), stage, self.lrelu]
        return [*layers, self.conv_hr, self.lrelu, self.conv_last]

    def convert_state_dict(self, state: StateDict) -> StateDict:
        """Rename original ESRGAN keys (``model.0.weight``, ...) to this module's (BasicSR) names."""
        return to_basicsr_layout(state)

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path,
        spatial_dims: SpatialDims = 2,
        scale: int | None = None,
        *,
        residual_scale: float = 0.2,
        negative_slope: float = 0.2,
    ) -> Self:
        """Build an RRDBNet that fits the weights in ``path`` and load them strictly.

        Reads BasicSR (``params_ema``/``params`` wrappers included), original ESRGAN, Lightning
        (``generator.`` keys) and ``.safetensors`` files. Channels, ``num_feat``, ``num_block``,
        ``num_grow_ch`` and pixel-unshuffle are read off the weights; ``scale`` from the number of
        ``conv_up`` layers unless given (x3 models must pass ``scale=3``).

        Raises:
            GanEngineError: the file is missing or unreadable, or its keys or shapes do not fit.
        """
        state = to_basicsr_layout(read_state_dict(path))
        found = infer_architecture(state, spatial_dims, scale, str(path))
        params = RRDBNetParams(
            num_feat=found.num_feat,
            num_block=found.num_block,
            num_grow_ch=found.num_grow_ch,
            residual_scale=residual_scale,
            negative_slope=negative_slope,
            pixel_unshuffle=found.pixel_unshuffle,
        )
        model = cls(spatial_dims, found.in_channels, found.out_channels, found.scale, params)
        load_strict(model, state, path)
        return model
