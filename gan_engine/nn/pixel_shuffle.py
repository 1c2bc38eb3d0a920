"""Pixel shuffle for any number of spatial axes, and sub-pixel upsampling with ICNR initialisation.

Input channel ``c * r**d + k``, where ``k`` is the row-major index of the offset ``(o_1, ..., o_d)``
(``0 <= o_i < r``), lands at ``(s_1 * r + o_1, ..., s_d * r + o_d)`` of output channel ``c``. In 2D
this is exactly :func:`torch.nn.functional.pixel_shuffle`.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional

from gan_engine.nn.layers import channels_last_format, conv
from gan_engine.types import SpatialDims


def _check_scale(scale: int) -> None:
    if scale < 1:
        msg = f"scale must be an integer >= 1, got {scale}"
        raise ValueError(msg)


def _is_channels_last(x: Tensor) -> bool:
    """Whether ``x`` is laid out channels-last (and that layout differs from the default one)."""
    if x.ndim not in (4, 5):
        return False
    fmt = channels_last_format(2 if x.ndim == 4 else 3)
    return x.is_contiguous(memory_format=fmt) and not x.is_contiguous()


def _channels_last_view(y: Tensor) -> Tensor:
    """``[B, *S, C]`` contiguous → ``[B, C, *S]`` view with channels-last strides."""
    dims = y.ndim - 2
    return y.permute(0, dims + 1, *range(1, dims + 1))


def pixel_shuffle(x: Tensor, scale: int) -> Tensor:
    """Rearrange ``[B, C * r**d, *S]`` into ``[B, C, *(S * r)]``, ``d = x.ndim - 2`` spatial axes.

    A channels-last input gives a channels-last output (the layout convolutions prefer here).
    """
    _check_scale(scale)
    if x.ndim < 3:
        msg = f"pixel_shuffle expects [B, C, *S] with >= 1 spatial axis, got {tuple(x.shape)}"
        raise ValueError(msg)
    dims = x.ndim - 2
    batch, channels, *spatial = x.shape
    block = scale**dims
    if channels % block != 0:
        msg = (
            f"pixel_shuffle with scale {scale} in {dims}-D needs channels divisible by "
            f"{scale}**{dims} = {block}, got {channels}"
        )
        raise ValueError(msg)
    if dims == 2:
        # torch's kernel: same values and layout, 1.4x faster than the permute-copy on a 256-channel
        # 936² channels-last map (0.41 vs 0.57 s on the benchmark CPU).
        return functional.pixel_shuffle(x, scale)
    out_channels = channels // block
    out_spatial = [size * scale for size in spatial]
    channels_last = _is_channels_last(x)
    # [B, C, r_1..r_d, s_1..s_d] → interleave every spatial axis with its offset axis: (s_i, r_i)
    split = x.reshape(batch, out_channels, *([scale] * dims), *spatial)
    interleaved = [axis for i in range(dims) for axis in (2 + dims + i, 2 + i)]
    if channels_last:
        moved = split.permute(0, *interleaved, 1).reshape(batch, *out_spatial, out_channels)
        return _channels_last_view(moved)
    return split.permute(0, 1, *interleaved).reshape(batch, out_channels, *out_spatial)


def pixel_unshuffle(x: Tensor, scale: int) -> Tensor:
    """Inverse of :func:`pixel_shuffle`: ``[B, C, *(S * r)]`` → ``[B, C * r**d, *S]``."""
    _check_scale(scale)
    if x.ndim < 3:
        msg = f"pixel_unshuffle expects [B, C, *S] with >= 1 spatial axis, got {tuple(x.shape)}"
        raise ValueError(msg)
    dims = x.ndim - 2
    batch, channels, *spatial = x.shape
    if any(size % scale != 0 for size in spatial):
        msg = f"pixel_unshuffle by {scale} needs spatial sizes divisible by it, got {spatial}"
        raise ValueError(msg)
    in_spatial = [size // scale for size in spatial]
    # [B, C, s_1, r_1, ..., s_d, r_d] → [B, C, r_1..r_d, s_1..s_d]
    split = x.reshape(batch, channels, *(n for size in in_spatial for n in (size, scale)))
    order = [3 + 2 * i for i in range(dims)] + [2 + 2 * i for i in range(dims)]
    return split.permute(0, 1, *order).reshape(batch, channels * scale**dims, *in_spatial)


@torch.no_grad()
def icnr_(
    weight: Tensor, scale: int, spatial_dims: SpatialDims, bias: Tensor | None = None
) -> None:
    """ICNR: make the ``r**d`` sub-kernels of each output channel copies of one kernel, in place.

    ``weight`` is ``[C * r**d, C_in, *K]`` (a convolution followed by :func:`pixel_shuffle`). The
    kernels kept are the existing ones at indices ``0, r**d, 2 * r**d, ...``, so the layer's own
    initialisation (and its fan-in scaling) is preserved. At init the shuffled output is then a
    nearest-neighbour upsampling of a convolution: no checkerboard (Aitken et al. 2017).
    """
    block = scale**spatial_dims
    if weight.shape[0] % block != 0:
        msg = f"icnr_: {weight.shape[0]} output channels not divisible by {scale}**{spatial_dims}"
        raise ValueError(msg)
    weight.copy_(weight[::block].repeat_interleave(block, dim=0))
    if bias is not None:
        bias.copy_(bias[::block].repeat_interleave(block, dim=0))


class SubpixelUpsample(nn.Module):
    """Convolution to ``out_channels * r**d`` channels, then N-D pixel shuffle (ICNR-initialised).

    ``[B, in_channels, *S] → [B, out_channels, *(S * scale)]``.

    Args:
        spatial_dims: 2 or 3.
        in_channels: input channels.
        out_channels: output channels.
        scale: integer upsampling factor ``r`` per axis.
        kernel_size: odd kernel size of the convolution ("same" padding), at the input resolution.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        out_channels: int,
        scale: int,
        *,
        kernel_size: int = 3,
    ) -> None:
        super().__init__()
        _check_scale(scale)
        if kernel_size < 1 or kernel_size % 2 != 1:
            msg = f"SubpixelUpsample: kernel_size must be a positive odd integer, got {kernel_size}"
            raise ValueError(msg)
        self.scale = scale
        self.conv = conv(spatial_dims)(
            in_channels,
            out_channels * scale**spatial_dims,
            kernel_size,
            padding=kernel_size // 2,
        )
        icnr_(self.conv.weight, scale, spatial_dims, self.conv.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Upsample ``x[B, C_in, *S]`` to ``[B, C_out, *(S * scale)]``."""
        return pixel_shuffle(self.conv(x), self.scale)


class PixelShuffle(nn.Module):
    """N-D pixel shuffle by ``scale`` (:func:`pixel_shuffle`) as a layer, with no parameters."""

    def __init__(self, scale: int) -> None:
        super().__init__()
        _check_scale(scale)
        self.scale = scale

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C * r**d, *S] → [B, C, *(S * r)]``."""
        return pixel_shuffle(x, self.scale)
