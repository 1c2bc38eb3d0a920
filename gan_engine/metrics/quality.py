"""Standard validation metrics of a prediction against its reference, in sensor units."""

from __future__ import annotations

from torch import Tensor

from gan_engine.metrics.psnr import psnr
from gan_engine.metrics.sam import sam
from gan_engine.metrics.ssim import ssim

SSIM_WINDOW = 11


def image_quality(prediction: Tensor, target: Tensor, data_range: float) -> dict[str, Tensor]:
    """Per-sample ``psnr`` (dB), ``ssim`` and, for more than one band, ``sam`` (degrees).

    SSIM is left out when an image is smaller than its 11-pixel window; SAM when there is one band,
    where every spectral angle is 0.
    """
    metrics = {"psnr": psnr(prediction, target, data_range)}
    if min(target.shape[2:]) >= SSIM_WINDOW:
        metrics["ssim"] = ssim(prediction, target, data_range)
    if target.shape[1] > 1:
        metrics["sam"] = sam(prediction, target)
    return metrics
