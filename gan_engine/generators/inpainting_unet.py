"""A U-Net that fills holes, in 2D and 3D, for any band count (DeepFill/LaMa-style inpainting).

The network sees ``image · (1 − m) ⊕ m`` (holes zeroed, the mask ``m`` as extra channel(s)) and
returns an image of the same size. Encoder and decoder layers are plain, gated or partial
convolutions (:mod:`gan_engine.nn.masked_conv`); the bottleneck may hold LaMa's fast Fourier
convolution blocks (:mod:`gan_engine.nn.ffc`), whose receptive field is the whole input. With
``composite`` the output keeps every known pixel of the input exactly and only fills the holes.
"""

from __future__ import annotations

from typing import Literal, Self, TypeAlias, get_args

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.nn.activation import ACTIVATION_KINDS, ActivationKind
from gan_engine.nn.ffc import FFCResidualBlock
from gan_engine.nn.fill import composite, harmonic_fill
from gan_engine.nn.layers import conv
from gan_engine.nn.masked_conv import MASKED_CONV_KINDS, MaskedConv, MaskedConvKind
from gan_engine.nn.norm import NORM_KINDS, NormKind
from gan_engine.params import at_least, in_range, odd, one_of
from gan_engine.registry import Capabilities, register_generator
from gan_engine.types import Conditioning, SpatialDims

Prefill: TypeAlias = Literal["zero", "harmonic"]
PREFILLS: tuple[Prefill, ...] = get_args(Prefill)

MAX_WIDTH_FACTOR = 8
"""Feature width stops doubling at ``n_channels · 8`` (deeper levels keep it)."""


@attrs.frozen(kw_only=True)
class InpaintingUNetParams:
    """Parameters of :class:`InpaintingUNet`.

    Attributes:
        n_channels: feature channels at full resolution; doubled per level up to 8×.
        depth: number of halvings of the spatial size (inputs are padded to a multiple of
            ``2 ** depth`` and cropped back).
        conv: encoder/decoder convolutions: ``plain``, ``gated`` (DeepFill v2) or ``partial``
            (Liu et al. 2018).
        kernel_size: odd kernel size of every convolution.
        activation: activation after each encoder/decoder convolution.
        ffc_blocks: LaMa fast-Fourier-convolution residual blocks at the bottleneck; 0 puts one
            convolution there instead. With FFC blocks every output pixel sees the whole input.
        ffc_global_ratio: fraction of the bottleneck channels in the FFC blocks' global branch.
        norm: normalisation inside the FFC blocks (``none``, ``batch`` or ``instance``).
        per_band_holes: read one hole channel per band (bands missing independently, e.g.
            multispectral stripes); otherwise one channel, a pixel missing if any band is.
        composite: return ``image · (1 − m) + output · m``, keeping known pixels exactly;
            needs ``in_channels == out_channels``.
        prefill: what the holes hold in the network's input: ``zero`` (DeepFill, LaMa) or
            ``harmonic``, the classical fill of :func:`gan_engine.nn.fill.harmonic_fill`, which the
            network then corrects (its output is added to the fill: it starts from the baseline).
            ``harmonic`` needs ``in_channels == out_channels`` and sees the whole input.
    """

    n_channels: int = attrs.field(default=32, validator=at_least(2))
    depth: int = attrs.field(default=3, validator=at_least(0))
    conv: MaskedConvKind = attrs.field(default="gated", validator=one_of(MASKED_CONV_KINDS))
    kernel_size: int = attrs.field(default=3, validator=[at_least(1), odd()])
    activation: ActivationKind = attrs.field(
        default="leaky_relu", validator=one_of(ACTIVATION_KINDS)
    )
    ffc_blocks: int = attrs.field(default=0, validator=at_least(0))
    ffc_global_ratio: float = attrs.field(
        default=0.75, validator=in_range(0.0, 1.0, low_open=True, high_open=True)
    )
    norm: NormKind = attrs.field(default="none", validator=one_of(NORM_KINDS))
    per_band_holes: bool = False
    composite: bool = True
    prefill: Prefill = attrs.field(default="zero", validator=one_of(PREFILLS))

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for contract tests and smoke runs."""
        return cls(n_channels=4, depth=1, ffc_blocks=1)

    def input_multiple(self) -> int:
        """Tile starts must be multiples of ``2 ** depth``, so every tile sees the same strided grid."""
        return 1 << self.depth

    def receptive_field(self, scale: int | None = None) -> int | None:
        """Radius in input pixels beyond which an output pixel cannot depend on the input.

        ``None`` with FFC blocks or the harmonic pre-fill (global). Otherwise an upper bound
        summed along the deepest path: each convolution adds ``kernel_size // 2`` times its level's
        stride, each nearest upsampling half its stride.
        """
        if self.ffc_blocks > 0 or self.prefill == "harmonic":
            return None
        half = self.kernel_size // 2
        radius = half  # stem
        for level in range(self.depth):
            radius += half << level  # the strided convolution into the next level
        radius += half << self.depth  # bottleneck
        for level in reversed(range(self.depth)):
            radius += (1 << level) + (half << level)  # nearest x2 up, then the decoder conv
        return radius + half  # head


def _widths(params: InpaintingUNetParams) -> list[int]:
    return [
        params.n_channels * min(2**level, MAX_WIDTH_FACTOR) for level in range(params.depth + 1)
    ]


class _Bottleneck(nn.Module):
    def __init__(self, spatial_dims: SpatialDims, width: int, params: InpaintingUNetParams) -> None:
        super().__init__()
        self.conv = (
            None
            if params.ffc_blocks
            else MaskedConv(
                spatial_dims,
                width,
                width,
                kernel_size=params.kernel_size,
                kind=params.conv,
                activation=params.activation,
            )
        )
        self.ffc = nn.Sequential(
            *(
                FFCResidualBlock(
                    spatial_dims,
                    width,
                    global_ratio=params.ffc_global_ratio,
                    kernel_size=params.kernel_size,
                    norm=params.norm,
                )
                for _ in range(params.ffc_blocks)
            )
        )

    def forward(self, x: Tensor, valid: Tensor) -> tuple[Tensor, Tensor]:
        if self.conv is not None:
            result: tuple[Tensor, Tensor] = self.conv(x, valid)
            return result
        # Fourier blocks mix every position: after them the whole map counts as known.
        return self.ffc(x), torch.ones_like(valid)


@register_generator(
    "inpainting_unet",
    params=InpaintingUNetParams,
    capabilities=Capabilities(
        scales=frozenset({1}),
        receptive_field=InpaintingUNetParams().receptive_field(),
        conditioning=frozenset({"mask"}),
    ),
)
class InpaintingUNet(nn.Module):
    """U-Net inpainting generator: ``(image[B, C, *S], cond.holes[B, 1 or C, *S]) -> [B, C_out, *S]``.

    The holes (1 = missing) come in ``cond.holes``; a call without them raises. ``scale`` must be 1.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        out_channels: int,
        scale: int = 1,
        params: InpaintingUNetParams | None = None,
    ) -> None:
        super().__init__()
        params = params or InpaintingUNetParams()
        if spatial_dims not in (2, 3):
            msg = f"InpaintingUNet: spatial_dims must be 2 or 3, got {spatial_dims!r}"
            raise ValueError(msg)
        if scale != 1:
            msg = f"InpaintingUNet: scale must be 1 (it fills holes, it does not upscale), got {scale}"
            raise ValueError(msg)
        if in_channels < 1 or out_channels < 1:
            msg = f"InpaintingUNet: channels must be >= 1, got in={in_channels}, out={out_channels}"
            raise ValueError(msg)
        if (params.composite or params.prefill == "harmonic") and in_channels != out_channels:
            msg = (
                "InpaintingUNet: composite and the harmonic prefill need in_channels == "
                f"out_channels, got {in_channels} and {out_channels}; set composite: false and "
                "prefill: zero"
            )
            raise ValueError(msg)
        self.spatial_dims: SpatialDims = spatial_dims
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.scale = 1
        self.params = params
        self.mask_channels = in_channels if params.per_band_holes else 1
        widths = _widths(params)

        def layer(c_in: int, c_out: int, stride: int = 1) -> MaskedConv:
            return MaskedConv(
                spatial_dims,
                c_in,
                c_out,
                kernel_size=params.kernel_size,
                stride=stride,
                kind=params.conv,
                activation=params.activation,
            )

        self.stem = layer(in_channels + self.mask_channels, widths[0])
        self.down = nn.ModuleList(layer(widths[i], widths[i + 1], 2) for i in range(params.depth))
        self.bottleneck = _Bottleneck(spatial_dims, widths[-1], params)
        self.up = nn.ModuleList(
            layer(widths[i + 1] + widths[i], widths[i]) for i in range(params.depth)
        )
        pad = params.kernel_size // 2
        self.head = conv(spatial_dims)(widths[0], out_channels, params.kernel_size, padding=pad)

    def forward(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Fill the holes of ``lr[B, C, *S]`` given in ``cond.holes``; returns ``[B, C_out, *S]``."""
        holes = self._holes(lr, cond)
        size = lr.shape[2:]
        multiple = 2**self.params.depth
        pads: list[int] = []
        for n in reversed(size):
            pads += [0, (-n) % multiple]
        missing = holes.to(lr.dtype)
        image = F.pad(lr, pads, mode="replicate") if any(pads) else lr
        padded_holes = F.pad(missing, pads, value=1.0) if any(pads) else missing
        known_mask = 1.0 - padded_holes
        valid = known_mask.amin(dim=1, keepdim=True)
        start = image * known_mask
        if self.params.prefill == "harmonic":
            start = harmonic_fill(image, padded_holes)
        x, valid = self.stem(torch.cat([start, padded_holes], dim=1), valid)
        skips: list[tuple[Tensor, Tensor]] = []
        for down in self.down:
            skips.append((x, valid))
            x, valid = down(x, valid)
        x, valid = self.bottleneck(x, valid)
        for up, (skip, skip_valid) in zip(reversed(self.up), reversed(skips), strict=True):
            x = F.interpolate(x, size=skip.shape[2:], mode="nearest")
            valid = F.interpolate(valid, size=skip.shape[2:], mode="nearest")
            x, valid = up(torch.cat([x, skip], dim=1), torch.maximum(valid, skip_valid))
        out: Tensor = self.head(x)
        if self.params.prefill == "harmonic":
            out = out + start  # a correction of the classical fill
        out = out[(slice(None), slice(None), *(slice(0, n) for n in size))]
        if not self.params.composite:
            return out
        return composite(lr, out, holes)

    def _holes(self, lr: Tensor, cond: Conditioning | None) -> Tensor:
        if cond is None or cond.holes is None:
            msg = (
                "InpaintingUNet: needs the hole mask in cond.holes ([B, 1 or C, *S], 1 = missing); "
                "got none"
            )
            raise ValueError(msg)
        holes = cond.holes
        expected = (lr.shape[0], *lr.shape[2:])
        if holes.ndim != lr.ndim or (holes.shape[0], *holes.shape[2:]) != expected:
            msg = (
                f"InpaintingUNet: cond.holes must be [B, 1 or C, *S] for an input of shape "
                f"{tuple(lr.shape)}, got {tuple(holes.shape)}"
            )
            raise ValueError(msg)
        if holes.shape[1] not in (1, lr.shape[1]):
            msg = f"InpaintingUNet: cond.holes must have 1 or {lr.shape[1]} channels, got {holes.shape[1]}"
            raise ValueError(msg)
        if self.mask_channels == 1:
            return holes.amax(dim=1, keepdim=True)
        return holes.expand(-1, lr.shape[1], *holes.shape[2:])
