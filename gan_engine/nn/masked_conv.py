"""Convolutions for inpainting that carry a validity mask: plain, gated and partial, in 2D and 3D.

Every layer here maps ``(x[B, C_in, *S], valid[B, 1, *S]) -> (y[B, C_out, *S'], valid'[B, 1, *S'])``
with ``valid`` 1 where the input is known and 0 inside holes, so an encoder can switch the kind of
convolution without changing its wiring:

- ``plain``: a convolution; the mask is only resized alongside (max over each window).
- ``gated`` (Yu et al. 2019, DeepFill v2): ``act(conv_f(x)) · sigmoid(conv_g(x))``; the network learns
  a soft mask per channel and pixel; the hard mask is resized as for ``plain``.
- ``partial`` (Liu et al. 2018): the convolution sees only known pixels, rescaled by
  ``window size / known pixels in the window``; an output is known when its window saw one known pixel.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.nn.activation import ActivationKind, make_activation
from gan_engine.nn.layers import conv
from gan_engine.types import SpatialDims

MaskedConvKind: TypeAlias = Literal["plain", "gated", "partial"]
MASKED_CONV_KINDS: tuple[MaskedConvKind, ...] = get_args(MaskedConvKind)


def _window_max(valid: Tensor, kernel_size: int, stride: int) -> Tensor:
    """``valid`` resized like a same-padded convolution's output: 1 where the window saw a known pixel."""
    pool = F.max_pool2d if valid.ndim == 4 else F.max_pool3d
    return pool(valid, kernel_size, stride, padding=kernel_size // 2)


class MaskedConv(nn.Module):
    """A same-padded convolution with an activation that carries a validity mask (see module doc).

    Args:
        spatial_dims: 2 or 3.
        in_channels, out_channels: channel counts.
        kernel_size: odd kernel size.
        stride: 1, or 2 to halve every spatial axis (rounded up).
        kind: ``plain``, ``gated`` or ``partial``.
        activation: the activation after the convolution (``none`` for a linear layer).
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        out_channels: int,
        *,
        kernel_size: int = 3,
        stride: int = 1,
        kind: MaskedConvKind = "plain",
        activation: ActivationKind | Literal["none"] = "leaky_relu",
    ) -> None:
        super().__init__()
        if kind not in MASKED_CONV_KINDS:
            msg = f"MaskedConv: kind must be one of {MASKED_CONV_KINDS}, got {kind!r}"
            raise ValueError(msg)
        if kernel_size % 2 == 0 or kernel_size < 1:
            msg = f"MaskedConv: kernel_size must be odd and >= 1, got {kernel_size}"
            raise ValueError(msg)
        self.kind = kind
        self.kernel_size = kernel_size
        self.stride = stride
        conv_cls = conv(spatial_dims)
        padding = kernel_size // 2
        self.conv = conv_cls(in_channels, out_channels, kernel_size, stride, padding)
        self.gate = (
            conv_cls(in_channels, out_channels, kernel_size, stride, padding)
            if kind == "gated"
            else None
        )
        self.activation = nn.Identity() if activation == "none" else make_activation(activation)
        # A ones kernel counts the known pixels each partial window sees.
        window = torch.ones(1, 1, *([kernel_size] * spatial_dims))
        self.window: Tensor
        self.register_buffer("window", window, persistent=False)

    def forward(self, x: Tensor, valid: Tensor) -> tuple[Tensor, Tensor]:
        """``(x[B, C_in, *S], valid[B, 1, *S]) -> (y[B, C_out, *S'], valid'[B, 1, *S'])``."""
        if self.kind == "partial":
            return self._partial(x, valid)
        out = self.activation(self.conv(x))
        if self.gate is not None:
            out = out * torch.sigmoid(self.gate(x))
        return out, _window_max(valid, self.kernel_size, self.stride)

    def _partial(self, x: Tensor, valid: Tensor) -> tuple[Tensor, Tensor]:
        conv_fn = F.conv2d if x.ndim == 4 else F.conv3d
        padding = self.kernel_size // 2
        known = conv_fn(valid, self.window.to(valid.dtype), stride=self.stride, padding=padding)
        seen = (known > 0).to(x.dtype)
        scale = self.window.numel() / known.clamp(min=1.0) * seen
        raw = conv_fn(x * valid, self.conv.weight, None, self.stride, padding)
        bias = self.conv.bias
        out = raw * scale
        if bias is not None:
            out = out + bias.reshape(1, -1, *([1] * (x.ndim - 2))) * seen
        return self.activation(out), seen
