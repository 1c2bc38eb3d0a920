"""JPEG coding in PyTorch: baseline RGB JPEG, and a per-band equivalent for any band count.

``rgb_jpeg`` codes RGB as libjpeg does by default (see its docstring). ``dct_compress`` is the
equivalent for other band counts: 8×8 block DCT quantisation of each band as JPEG's luma.

Each band is coded as an independent grayscale JPEG would be: values in ``[0, 1]`` become 8-bit levels,
are shifted by 128, transformed by the orthonormal 8×8 DCT-II, divided by the standard luminance table
scaled for the quality (the IJG rule), rounded, multiplied back and inverse transformed; borders are
padded by edge replication to whole blocks and cropped back. Unlike RGB JPEG there is no colour
transform or chroma subsampling (bands of a multispectral or medical image carry no chroma).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

LUMINANCE_TABLE = (
    (16, 11, 10, 16, 24, 40, 51, 61),
    (12, 12, 14, 19, 26, 58, 60, 55),
    (14, 13, 16, 24, 40, 57, 69, 56),
    (14, 17, 22, 29, 51, 87, 80, 62),
    (18, 22, 37, 56, 68, 109, 103, 77),
    (24, 35, 55, 64, 81, 104, 113, 92),
    (49, 64, 78, 87, 103, 121, 120, 101),
    (72, 92, 95, 98, 112, 100, 103, 99),
)
"""The JPEG standard's (Annex K) luminance quantisation table at quality 50."""


def dct_matrix(
    size: int = 8, dtype: torch.dtype = torch.float32, device: torch.device | None = None
) -> Tensor:
    """The orthonormal DCT-II matrix ``[size, size]``: ``coefficients = M @ block @ Mᵀ``."""
    k = torch.arange(size, dtype=torch.float64).unsqueeze(1)
    n = torch.arange(size, dtype=torch.float64).unsqueeze(0)
    matrix = torch.cos(math.pi * (2 * n + 1) * k / (2 * size)) * math.sqrt(2 / size)
    matrix[0] /= math.sqrt(2)
    return matrix.to(dtype=dtype, device=device)


CHROMINANCE_TABLE = (
    (17, 18, 24, 47, 99, 99, 99, 99),
    (18, 21, 26, 66, 99, 99, 99, 99),
    (24, 26, 56, 99, 99, 99, 99, 99),
    (47, 66, 99, 99, 99, 99, 99, 99),
    (99, 99, 99, 99, 99, 99, 99, 99),
    (99, 99, 99, 99, 99, 99, 99, 99),
    (99, 99, 99, 99, 99, 99, 99, 99),
    (99, 99, 99, 99, 99, 99, 99, 99),
)
"""The JPEG standard's (Annex K) chrominance quantisation table at quality 50."""


def quality_table(quality: Tensor, base: tuple[tuple[int, ...], ...] = LUMINANCE_TABLE) -> Tensor:
    """Quantisation tables ``[B, 8, 8]`` for integer qualities ``[B]`` in 1..100 (IJG scaling, 1..255)."""
    q = quality.to(torch.float64).clamp(1, 100)
    factor = torch.where(q < 50, 5000 / q, 200 - 2 * q)
    table = torch.floor(
        (torch.tensor(base, dtype=torch.float64) * factor.reshape(-1, 1, 1) + 50) / 100
    )
    return table.clamp(1, 255)


def code_planes(levels: Tensor, table: Tensor) -> Tensor:
    """Quantise the 8×8 block DCT of planes ``[B, C, H, W]`` (8-bit levels) with ``table[B, 8, 8]``.

    Returns the decoded planes, unrounded (the caller rounds once, after any colour transform).
    """
    b, c, h, w = levels.shape
    pad_h, pad_w = (-h) % 8, (-w) % 8
    padded = F.pad(levels, [0, pad_w, 0, pad_h], mode="replicate") if pad_h or pad_w else levels
    hh, ww = padded.shape[2:]
    blocks = padded.reshape(b, c, hh // 8, 8, ww // 8, 8).permute(0, 1, 2, 4, 3, 5) - 128
    matrix = dct_matrix(dtype=levels.dtype, device=levels.device)
    coefficients = matrix @ blocks @ matrix.T
    steps = table.to(dtype=levels.dtype, device=levels.device).reshape(b, 1, 1, 1, 8, 8)
    decoded = matrix.T @ (torch.round(coefficients / steps) * steps) @ matrix + 128
    return decoded.permute(0, 1, 2, 4, 3, 5).reshape(b, c, hh, ww)[:, :, :h, :w]


def dct_compress(x: Tensor, quality: Tensor) -> Tensor:
    """Code every band of ``x[B, C, H, W]`` in ``[0, 1]`` at ``quality[B]`` (see the module docstring).

    Returns the decoded bands in ``[0, 1]`` on 8-bit levels, same shape and dtype.
    """
    levels = torch.round(x.clamp(0, 1) * 255).to(torch.float32)
    image = code_planes(levels, quality_table(quality))
    return (torch.round(image).clamp(0, 255) / 255).to(x.dtype)


def rgb_jpeg(x: Tensor, quality: Tensor) -> Tensor:
    """Baseline JPEG of RGB ``x[B, 3, H, W]`` in ``[0, 1]`` at ``quality[B]``, as libjpeg codes it.

    JFIF YCbCr on 8-bit levels, 4:2:0 chroma (2×2 means), the standard luminance and chrominance
    tables scaled for the quality, 8×8 DCT quantisation, chroma enlarged back by repetition, RGB
    rounded to 8-bit levels. Returns ``[B, 3, H, W]`` in ``[0, 1]``, same dtype.
    """
    rgb = torch.round(x.clamp(0, 1) * 255).to(torch.float32)
    r, g, b = rgb[:, 0:1], rgb[:, 1:2], rgb[:, 2:3]
    y = torch.round(0.299 * r + 0.587 * g + 0.114 * b)
    cb = torch.round(-0.168736 * r - 0.331264 * g + 0.5 * b + 128)
    cr = torch.round(0.5 * r - 0.418688 * g - 0.081312 * b + 128)
    h, w = x.shape[2:]
    chroma = torch.cat([cb, cr], dim=1)
    if h % 2 or w % 2:
        chroma = F.pad(chroma, [0, w % 2, 0, h % 2], mode="replicate")
    small = F.avg_pool2d(chroma, 2)
    y = code_planes(y, quality_table(quality))
    small = code_planes(small, quality_table(quality, CHROMINANCE_TABLE))
    chroma = small.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)[:, :, :h, :w]
    cb, cr = chroma[:, 0:1] - 128, chroma[:, 1:2] - 128
    out = torch.cat([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb], dim=1)
    return (torch.round(out).clamp(0, 255) / 255).to(x.dtype)
