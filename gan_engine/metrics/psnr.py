"""Peak signal-to-noise ratio per sample, 2D and 3D."""

from __future__ import annotations

import torch
from torch import Tensor


def psnr(prediction: Tensor, target: Tensor, data_range: float) -> Tensor:
    """PSNR in dB of each sample of ``[B, C, *S]`` batches; returns ``[B]``.

    ``10 · log10(data_range² / MSE)`` with the MSE over channels and spatial axes, computed in float64 so
    8- and 16-bit ranges are exact. Identical samples give ``inf``.
    """
    if prediction.shape != target.shape:
        msg = f"psnr: shapes differ: {tuple(prediction.shape)} vs {tuple(target.shape)}"
        raise ValueError(msg)
    if data_range <= 0:
        msg = f"psnr: data_range must be > 0, got {data_range}"
        raise ValueError(msg)
    diff = prediction.detach().double() - target.detach().double()
    mse = diff.square().flatten(1).mean(dim=1)
    return 10.0 * torch.log10(torch.as_tensor(data_range, dtype=torch.float64) ** 2 / mse)
