"""The structural similarity (SSIM) map of two batches, 2D or 3D, with a Gaussian window."""

from __future__ import annotations

import torch
from torch import Tensor

from gan_engine.nn.gaussian import gaussian_filter


def ssim_map(
    x: Tensor,
    y: Tensor,
    *,
    data_range: float,
    window_size: int = 11,
    sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
) -> Tensor:
    """Local SSIM (Wang et al. 2004) of ``x`` and ``y`` ``[B, C, *S]``, per channel.

    Local means, variances and the covariance are Gaussian-weighted (population statistics, no
    ``N / (N - 1)`` correction), as ``skimage.metrics.structural_similarity(gaussian_weights=True,
    use_sample_covariance=False)``. Only windows that fit inside the image are kept.

    Args:
        x: first batch.
        y: second batch, same shape.
        data_range: width of the value range (2 for data in [-1, 1], 255 for 8-bit): sets the
            stabilising constants ``C1 = (k1 · data_range)²`` and ``C2 = (k2 · data_range)²``.
        window_size: odd Gaussian window width in pixels.
        sigma: Gaussian standard deviation in pixels.
        k1: luminance constant.
        k2: contrast constant.

    Returns:
        ``[B, C, *(S - window_size + 1)]`` SSIM values in ``[-1, 1]``.
    """
    if x.shape != y.shape:
        msg = f"ssim_map: shapes differ: {tuple(x.shape)} vs {tuple(y.shape)}"
        raise ValueError(msg)
    if data_range <= 0:
        msg = f"ssim_map: data_range must be > 0, got {data_range}"
        raise ValueError(msg)
    spatial = tuple(x.shape[2:])
    if min(spatial) < window_size:
        msg = (
            f"ssim_map: every spatial axis needs at least window_size={window_size} pixels, "
            f"got {spatial}"
        )
        raise ValueError(msg)
    channels = x.shape[1]
    # One grouped pass filters the five statistics of every channel.
    stacked = torch.cat([x, y, x * x, y * y, x * y], dim=1)
    filtered = gaussian_filter(stacked, window_size, sigma)
    mu_x, mu_y, xx, yy, xy = (filtered[:, i * channels : (i + 1) * channels] for i in range(5))
    var_x = xx - mu_x * mu_x
    var_y = yy - mu_y * mu_y
    cov = xy - mu_x * mu_y
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    numerator = (2.0 * mu_x * mu_y + c1) * (2.0 * cov + c2)
    denominator = (mu_x * mu_x + mu_y * mu_y + c1) * (var_x + var_y + c2)
    similarity: Tensor = numerator / denominator
    return similarity
