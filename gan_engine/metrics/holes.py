"""Inpainting quality: PSNR/SSIM inside the holes and on the composite, per hole-ratio bin.

The composite (known pixels from the input, holes from the network) is scored with the ordinary
:func:`~gan_engine.metrics.psnr.psnr` and :func:`~gan_engine.metrics.ssim.ssim`; the hole scores count
only the missing pixels, so a network is not flattered by the pixels it copied. A sample without a
hole has no hole score: ``nan``, which :func:`binned` leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor

from gan_engine.metrics.psnr import psnr
from gan_engine.metrics.ssim import ssim
from gan_engine.nn.ssim import ssim_map

SSIM_WINDOW = 11

RATIO_BINS: tuple[tuple[str, float], ...] = (
    ("thin", 0.1),
    ("medium", 0.3),
    ("thick", float("inf")),
)
"""``(name, upper bound)``: thin below 10 % holes, medium 10–30 %, thick from 30 %."""


def _weights(holes: Tensor, like: Tensor) -> Tensor:
    if holes.shape[0] != like.shape[0] or holes.shape[2:] != like.shape[2:]:
        msg = f"holes {tuple(holes.shape)} do not match the images {tuple(like.shape)}"
        raise ValueError(msg)
    return (holes > 0.5).double().expand_as(like)


def hole_psnr(prediction: Tensor, target: Tensor, holes: Tensor, data_range: float) -> Tensor:
    """PSNR in dB over the hole pixels of each sample of ``[B, C, *S]``; ``[B]``, ``nan`` without holes."""
    weights = _weights(holes, target)
    diff = (prediction.detach().double() - target.detach().double()).square() * weights
    count = weights.flatten(1).sum(dim=1)
    mse = diff.flatten(1).sum(dim=1) / count.clamp(min=1.0)
    value = 10.0 * torch.log10(torch.as_tensor(data_range, dtype=torch.float64) ** 2 / mse)
    return torch.where(count > 0, value, torch.full_like(value, float("nan")))


def hole_ssim(prediction: Tensor, target: Tensor, holes: Tensor, data_range: float) -> Tensor:
    """Mean SSIM of the windows centred in a hole, per sample; ``[B]``, ``nan`` without such a window.

    Every spatial axis needs ``SSIM_WINDOW`` (11) pixels.
    """
    similarity = ssim_map(
        prediction.detach().double(), target.detach().double(), data_range=data_range
    )
    weights = _weights(holes, target)
    margin = SSIM_WINDOW // 2
    centres = weights[
        (slice(None), slice(None), *(slice(margin, n - margin) for n in weights.shape[2:]))
    ]
    count = centres.flatten(1).sum(dim=1)
    value = (similarity * centres).flatten(1).sum(dim=1) / count.clamp(min=1.0)
    return torch.where(count > 0, value, torch.full_like(value, float("nan")))


def inpainting_quality(
    output: Tensor, composite: Tensor, target: Tensor, holes: Tensor, data_range: float
) -> dict[str, Tensor]:
    """Per-sample scores of an inpainted batch ``[B, C, *S]`` against ``target``.

    ``psnr_hole`` and ``ssim_hole`` score ``output`` in the holes, ``psnr`` and ``ssim`` the
    ``composite``; the SSIM pair only when every spatial axis has 11 pixels.
    """
    metrics = {
        "psnr_hole": hole_psnr(output, target, holes, data_range),
        "psnr": psnr(composite, target, data_range),
    }
    if min(target.shape[2:]) >= SSIM_WINDOW:
        metrics["ssim_hole"] = hole_ssim(output, target, holes, data_range)
        metrics["ssim"] = ssim(composite, target, data_range)
    return metrics


def ratio_bin(ratio: float) -> str:
    """The bin of a hole ratio in ``[0, 1]``: thin (< 10 %), medium (10–30 %) or thick (≥ 30 %)."""
    return next(name for name, upper in RATIO_BINS if ratio < upper)


def ratio_bins(holes: Tensor) -> list[str]:
    """The hole-ratio bin of each sample of ``holes[B, 1 or C, *S]`` (a pixel counts once)."""
    ratios = (holes > 0.5).float().amax(dim=1).flatten(1).mean(dim=1).tolist()
    return [ratio_bin(ratio) for ratio in ratios]


def binned(metrics: Mapping[str, Tensor], bins: list[str]) -> dict[str, Tensor]:
    """``metrics`` split per bin: ``{f"{name}_{bin}": the values of that bin's samples}``, ``nan`` dropped."""
    result: dict[str, Tensor] = {}
    for name, values in metrics.items():
        for bin_name, _upper in RATIO_BINS:
            chosen = [i for i, b in enumerate(bins) if b == bin_name]
            picked = values[chosen]
            picked = picked[~torch.isnan(picked)]
            if picked.numel():
                result[f"{name}_{bin_name}"] = picked
    return result
