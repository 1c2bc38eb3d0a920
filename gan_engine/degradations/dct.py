"""JPEG-like compression for any band count: 8×8 block DCT quantisation of each band as JPEG's luma.

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


def quality_table(quality: Tensor) -> Tensor:
    """Quantisation tables ``[B, 8, 8]`` for integer qualities ``[B]`` in 1..100 (IJG scaling, 1..255)."""
    q = quality.to(torch.float64).clamp(1, 100)
    factor = torch.where(q < 50, 5000 / q, 200 - 2 * q)
    base = torch.tensor(LUMINANCE_TABLE, dtype=torch.float64)
    table = torch.floor((base * factor.reshape(-1, 1, 1) + 50) / 100)
    return table.clamp(1, 255)


def dct_compress(x: Tensor, quality: Tensor) -> Tensor:
    """Code every band of ``x[B, C, H, W]`` in ``[0, 1]`` at ``quality[B]`` (see the module docstring).

    Returns the decoded bands in ``[0, 1]`` on 8-bit levels, same shape and dtype.
    """
    b, c, h, w = x.shape
    pad_h, pad_w = (-h) % 8, (-w) % 8
    levels = torch.round(x.clamp(0, 1) * 255).to(torch.float32)
    padded = F.pad(levels, [0, pad_w, 0, pad_h], mode="replicate") if pad_h or pad_w else levels
    hh, ww = padded.shape[2:]
    blocks = padded.reshape(b, c, hh // 8, 8, ww // 8, 8).permute(0, 1, 2, 4, 3, 5) - 128
    matrix = dct_matrix(dtype=torch.float32, device=x.device)
    coefficients = matrix @ blocks @ matrix.T
    table = (
        quality_table(quality).to(dtype=torch.float32, device=x.device).reshape(b, 1, 1, 1, 8, 8)
    )
    quantised = torch.round(coefficients / table) * table
    decoded = matrix.T @ quantised @ matrix + 128
    image = decoded.permute(0, 1, 2, 4, 3, 5).reshape(b, c, hh, ww)[:, :, :h, :w]
    return (torch.round(image).clamp(0, 255) / 255).to(x.dtype)
