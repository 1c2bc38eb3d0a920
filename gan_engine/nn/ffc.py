"""Fast Fourier convolution (Chi et al. 2020), as LaMa uses it (Suvorov et al. 2022), in 2D and 3D.

A fast Fourier convolution splits its channels into a *local* part, convolved as usual, and a
*global* part, transformed by a :class:`FourierUnit`: a 1x1 convolution in the frequency domain of
``torch.fft.rfftn`` over every spatial axis, so each output pixel sees the whole image (or volume)
from the first layer. The two parts exchange information through cross convolutions.
:class:`FFCResidualBlock` is LaMa's residual block of two such layers.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from gan_engine.nn.layers import conv
from gan_engine.nn.norm import NormKind, make_norm
from gan_engine.types import SpatialDims


class FourierUnit(nn.Module):
    """A 1x1 conv (+ norm, ReLU) on the spectrum: ``x[B, C_in, *S] -> [B, C_out, *S]``.

    The conv mixes the real and imaginary parts of ``rfftn(x)`` over the spatial axes (orthonormal);
    the inverse transform brings the result back to the input's size.
    """

    def __init__(
        self, spatial_dims: SpatialDims, in_channels: int, out_channels: int, norm: NormKind
    ) -> None:
        super().__init__()
        self.spatial_dims = spatial_dims
        self.conv = conv(spatial_dims)(2 * in_channels, 2 * out_channels, 1, bias=False)
        self.norm = make_norm(norm, spatial_dims, 2 * out_channels)
        self.act = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        """Mix channels per frequency; the result is real and has the input's spatial size."""
        axes = tuple(range(2, x.ndim))
        size = x.shape[2:]
        # The FFT runs in float32: half-precision FFTs need power-of-two sizes.
        spectrum = torch.fft.rfftn(x.float(), dim=axes, norm="ortho")
        stacked = torch.cat([spectrum.real, spectrum.imag], dim=1).to(x.dtype)
        mixed = self.act(self.norm(self.conv(stacked)))
        real, imag = mixed.float().chunk(2, dim=1)
        out: Tensor = torch.fft.irfftn(torch.complex(real, imag), s=size, dim=axes, norm="ortho")
        return out.to(x.dtype)


class SpectralTransform(nn.Module):
    """The global branch: 1x1 conv to half the width, a Fourier unit with a skip, 1x1 conv out."""

    def __init__(
        self, spatial_dims: SpatialDims, in_channels: int, out_channels: int, norm: NormKind
    ) -> None:
        super().__init__()
        hidden = max(1, out_channels // 2)
        conv_cls = conv(spatial_dims)
        self.reduce = nn.Sequential(
            conv_cls(in_channels, hidden, 1, bias=False),
            make_norm(norm, spatial_dims, hidden),
            nn.ReLU(),
        )
        self.fourier = FourierUnit(spatial_dims, hidden, hidden, norm)
        self.expand = conv_cls(hidden, out_channels, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C_in, *S] -> [B, C_out, *S]``."""
        reduced = self.reduce(x)
        out: Tensor = self.expand(reduced + self.fourier(reduced))
        return out


class FFC(nn.Module):
    """One fast Fourier convolution on a tensor split into local and global channels.

    ``forward((local[B, C_l, *S], global[B, C_g, *S]))`` returns the same split: ``local' =
    conv(local) + conv(global)``, ``global' = conv(local) + spectral(global)``, each followed by a
    norm and ReLU.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        local_channels: int,
        global_channels: int,
        kernel_size: int,
        norm: NormKind,
    ) -> None:
        super().__init__()
        conv_cls = conv(spatial_dims)
        pad = kernel_size // 2
        self.local_to_local = conv_cls(local_channels, local_channels, kernel_size, padding=pad)
        self.global_to_local = conv_cls(global_channels, local_channels, kernel_size, padding=pad)
        self.local_to_global = conv_cls(local_channels, global_channels, kernel_size, padding=pad)
        self.global_to_global = SpectralTransform(
            spatial_dims, global_channels, global_channels, norm
        )
        self.local_out = nn.Sequential(make_norm(norm, spatial_dims, local_channels), nn.ReLU())
        self.global_out = nn.Sequential(make_norm(norm, spatial_dims, global_channels), nn.ReLU())

    def forward(self, parts: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        """``(local, global) -> (local', global')`` with unchanged shapes."""
        local, global_ = parts
        new_local = self.local_to_local(local) + self.global_to_local(global_)
        new_global = self.local_to_global(local) + self.global_to_global(global_)
        return self.local_out(new_local), self.global_out(new_global)


class FFCResidualBlock(nn.Module):
    """LaMa's residual block: ``x + FFC(FFC(x))`` on ``x[B, C, *S]``, split local/global inside.

    Args:
        spatial_dims: 2 or 3.
        channels: ``C``; at least 2, so both parts get a channel.
        global_ratio: fraction of the channels in the global (Fourier) part, in ``(0, 1)``
            (LaMa: 0.75).
        kernel_size: odd size of the local and cross convolutions.
        norm: normalisation after each branch (LaMa: batch).
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        *,
        global_ratio: float = 0.75,
        kernel_size: int = 3,
        norm: NormKind = "batch",
    ) -> None:
        super().__init__()
        if channels < 2:
            msg = (
                f"FFCResidualBlock: channels must be >= 2 (local and global parts), got {channels}"
            )
            raise ValueError(msg)
        if not 0.0 < global_ratio < 1.0:
            msg = f"FFCResidualBlock: global_ratio must be in (0, 1), got {global_ratio}"
            raise ValueError(msg)
        global_channels = min(channels - 1, max(1, round(channels * global_ratio)))
        self.local_channels = channels - global_channels
        self.first = FFC(spatial_dims, self.local_channels, global_channels, kernel_size, norm)
        self.second = FFC(spatial_dims, self.local_channels, global_channels, kernel_size, norm)

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C, *S] -> [B, C, *S]``."""
        parts = (x[:, : self.local_channels], x[:, self.local_channels :])
        local, global_ = self.second(self.first(parts))
        return x + torch.cat([local, global_], dim=1)
