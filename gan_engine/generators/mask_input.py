"""Any registered generator with a hole mask as input: gap-filling super-resolution.

:func:`with_mask_input` builds a generator that reads ``cond.holes`` (``[B, 1 or C, *S]`` at its
input's resolution, 1 = missing). A generator that declares ``mask`` in its capabilities reads the
holes itself and is built as is. Any other is wrapped in :class:`MaskInput`: the holes are first
pre-filled (zeros, or the harmonic fill of :mod:`gan_engine.nn.fill`), then a zero-initialised
residual convolution over ``image ⊕ mask`` lets the mask steer the input, and the unchanged inner
generator (SRResNet, RRDBNet, …, at any scale they support) produces the complete output. At
initialisation the wrapper equals the inner generator on the pre-filled image, so pretrained SR
weights keep working; the wrapped generator has the inner one's parameters under ``inner.``.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, get_args

import attrs
import torch
from torch import Tensor, nn

from gan_engine.nn.fill import harmonic_fill
from gan_engine.nn.layers import conv
from gan_engine.protocols import Generator
from gan_engine.registry import Entry, GeneratorFactory
from gan_engine.types import Conditioning, SpatialDims

Prefill: TypeAlias = Literal["zero", "harmonic"]
PREFILLS: tuple[Prefill, ...] = get_args(Prefill)


class MaskInput(nn.Module):
    """``(lr[B, C, *S], cond.holes) -> inner(prefill(lr) + fuse(prefill(lr) ⊕ holes), cond)``.

    Args:
        inner: the generator that does the work, built for ``C`` input channels.
        mask_channels: hole channels read (1: a pixel is missing when any band is; ``C``: per band).
        prefill: what the holes hold before fusion: ``zero`` or ``harmonic`` (a smooth fill).
        kernel_size: odd kernel size of the fusion convolution.
    """

    def __init__(
        self,
        inner: Generator,
        *,
        mask_channels: int = 1,
        prefill: Prefill = "harmonic",
        kernel_size: int = 3,
    ) -> None:
        super().__init__()
        if not isinstance(inner, nn.Module):
            msg = f"MaskInput: the inner generator must be an nn.Module, got {type(inner).__name__}"
            raise TypeError(msg)
        if prefill not in PREFILLS:
            msg = f"MaskInput: prefill must be one of {PREFILLS}, got {prefill!r}"
            raise ValueError(msg)
        if mask_channels not in (1, inner.in_channels):
            msg = f"MaskInput: mask_channels must be 1 or {inner.in_channels}, got {mask_channels}"
            raise ValueError(msg)
        self.inner = inner
        self.spatial_dims: SpatialDims = inner.spatial_dims
        self.in_channels = inner.in_channels
        self.out_channels = inner.out_channels
        self.scale = inner.scale
        self.mask_channels = mask_channels
        self.prefill: Prefill = prefill
        channels = inner.in_channels
        self.fuse = conv(inner.spatial_dims)(
            channels + mask_channels, channels, kernel_size, padding=kernel_size // 2
        )
        # Zero init: the wrapper starts as the inner generator on the pre-filled image.
        nn.init.zeros_(self.fuse.weight)
        if self.fuse.bias is not None:
            nn.init.zeros_(self.fuse.bias)

    def forward(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Fill and upscale: ``[B, C, *S] -> [B, C_out, *(S · scale)]``."""
        if cond is None or cond.holes is None:
            msg = "MaskInput: needs the hole mask in cond.holes ([B, 1 or C, *S], 1 = missing)"
            raise ValueError(msg)
        holes = cond.holes
        if holes.shape[0] != lr.shape[0] or holes.shape[2:] != lr.shape[2:]:
            msg = (
                f"MaskInput: cond.holes must be [B, 1 or C, *S] for an input of shape "
                f"{tuple(lr.shape)}, got {tuple(holes.shape)}"
            )
            raise ValueError(msg)
        if holes.shape[1] not in (1, lr.shape[1]):
            msg = (
                f"MaskInput: cond.holes must have 1 or {lr.shape[1]} channels, got {holes.shape[1]}"
            )
            raise ValueError(msg)
        missing = (holes > 0.5).to(lr.dtype)
        if self.mask_channels == 1:
            missing = missing.amax(dim=1, keepdim=True)
        else:
            missing = missing.expand(-1, lr.shape[1], *missing.shape[2:])
        zeroed = self.prefill == "zero"
        filled = lr * (1.0 - missing) if zeroed else harmonic_fill(lr, missing)
        fused = filled + self.fuse(torch.cat([filled, missing], dim=1))
        out: Tensor = self.inner(fused, cond)
        return out


@attrs.frozen(kw_only=True)
class MaskInputOptions:
    """How :func:`with_mask_input` wraps a generator without its own mask input.

    Attributes:
        mask_channels: 1 (one mask for all bands) or the band count (a mask per band).
        prefill: ``zero`` or ``harmonic``.
    """

    mask_channels: int = 1
    prefill: Prefill = "harmonic"


def with_mask_input(
    entry: Entry[GeneratorFactory],
    spatial_dims: SpatialDims,
    in_channels: int,
    out_channels: int,
    scale: int,
    params: Any,
    options: MaskInputOptions | None = None,
) -> Generator:
    """Build ``entry`` so that it reads ``cond.holes``: as is when it declares ``mask``, else wrapped."""
    model = entry.factory(spatial_dims, in_channels, out_channels, scale, params)
    if "mask" in entry.capabilities.conditioning:
        return model
    options = options or MaskInputOptions()
    return MaskInput(model, mask_channels=options.mask_channels, prefill=options.prefill)
