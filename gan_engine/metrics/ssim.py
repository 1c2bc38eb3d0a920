"""Structural similarity (SSIM) per sample, 2D and 3D, matching scikit-image."""

from __future__ import annotations

from torch import Tensor

from gan_engine.nn.ssim import ssim_map


def ssim(
    prediction: Tensor,
    target: Tensor,
    data_range: float,
    *,
    window_size: int = 11,
    sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
) -> Tensor:
    """Mean SSIM of each sample of ``[B, C, *S]`` batches (2D or 3D); returns ``[B]`` in ``[-1, 1]``.

    Equals ``skimage.metrics.structural_similarity(p, t, data_range=data_range, gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False, channel_axis=0)`` per sample (without ``channel_axis`` for
    one band): Gaussian-weighted population statistics, SSIM averaged over the windows that fit inside
    the image and over channels. Computed in float64. Every spatial axis needs ``window_size`` pixels.

    Args:
        prediction: super-resolved batch in sensor units (denormalised).
        target: reference batch, same shape.
        data_range: width of the valid value range in those units (255 for 8-bit data).
        window_size: odd Gaussian window width; 11 is scikit-image's for ``sigma = 1.5``.
        sigma: Gaussian standard deviation in pixels.
        k1: luminance constant.
        k2: contrast constant.
    """
    if prediction.shape != target.shape:
        msg = f"ssim: shapes differ: {tuple(prediction.shape)} vs {tuple(target.shape)}"
        raise ValueError(msg)
    similarity = ssim_map(
        prediction.detach().double(),
        target.detach().double(),
        data_range=data_range,
        window_size=window_size,
        sigma=sigma,
        k1=k1,
        k2=k2,
    )
    return similarity.flatten(1).mean(dim=1)
