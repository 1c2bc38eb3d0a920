"""PSNR and SSIM against scikit-image on real photos (tolerance 1e-3), 2D and 3D."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.typing import NDArray
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from gan_engine.metrics.psnr import psnr
from gan_engine.metrics.ssim import ssim
from gan_engine.nn.gaussian import gaussian_kernel
from tests.metrics.conftest import as_batch, distorted

NAMES = ["astronaut", "chelsea", "camera"]


@pytest.mark.parametrize("name", NAMES)
def test_psnr_matches_skimage(photos: dict[str, NDArray[np.uint8]], name: str) -> None:
    image = photos[name]
    copy = distorted(image, seed=1)
    expected = peak_signal_noise_ratio(image, copy, data_range=255)
    got = psnr(as_batch(copy), as_batch(image), data_range=255.0)
    assert got.shape == (1,)
    assert float(got[0]) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize("name", NAMES)
def test_ssim_matches_skimage(photos: dict[str, NDArray[np.uint8]], name: str) -> None:
    image = photos[name]
    copy = distorted(image, seed=2)
    channel_axis = -1 if image.ndim == 3 else None
    expected = structural_similarity(
        image,
        copy,
        data_range=255,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        channel_axis=channel_axis,
    )
    got = ssim(as_batch(copy), as_batch(image), data_range=255.0)
    assert got.shape == (1,)
    assert float(got[0]) == pytest.approx(expected, abs=1e-3)
    assert 0.0 < expected < 0.99  # the distortion is real, not a trivial 1.0


def test_ssim_and_psnr_are_per_sample(photos: dict[str, NDArray[np.uint8]]) -> None:
    images = [photos["astronaut"], photos["chelsea"]]
    copies = [distorted(image, seed=3 + i) for i, image in enumerate(images)]
    prediction = torch.cat([as_batch(c) for c in copies])
    target = torch.cat([as_batch(i) for i in images])
    per_sample = ssim(prediction, target, data_range=255.0)
    assert per_sample.shape == (2,)
    for index in range(2):
        single = ssim(prediction[index : index + 1], target[index : index + 1], data_range=255.0)
        assert float(per_sample[index]) == pytest.approx(float(single[0]), abs=1e-12)
    assert psnr(prediction, target, 255.0).shape == (2,)


def test_ssim_3d_matches_skimage(photos: dict[str, NDArray[np.uint8]]) -> None:
    # A 12 × 40 × 40 volume of camera crops, each slice shifted by one pixel: real texture in 3D.
    camera = photos["camera"]
    volume = np.stack([camera[i : i + 40, i : i + 40] for i in range(12)])
    copy = distorted(volume, seed=4)
    expected = structural_similarity(
        volume,
        copy,
        data_range=255,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    to_tensor = lambda a: torch.from_numpy(a.astype(np.float64))[None, None]  # noqa: E731
    got = ssim(to_tensor(copy), to_tensor(volume), data_range=255.0)
    assert float(got[0]) == pytest.approx(expected, abs=1e-3)


def test_identical_images() -> None:
    x = torch.rand(2, 3, 16, 16) * 255
    torch.testing.assert_close(ssim(x, x, 255.0), torch.ones(2, dtype=torch.float64))
    assert torch.isinf(psnr(x, x, 255.0)).all()


def test_gaussian_window_matches_scipy() -> None:
    impulse = np.zeros(11)
    impulse[5] = 1.0
    expected = ndimage.gaussian_filter1d(impulse, sigma=1.5, truncate=3.5)
    torch.testing.assert_close(
        gaussian_kernel(11, 1.5, dtype=torch.float64), torch.from_numpy(expected)
    )


def test_ssim_rejects_small_images() -> None:
    with pytest.raises(ValueError, match="window_size=11"):
        ssim(torch.zeros(1, 1, 8, 32), torch.zeros(1, 1, 8, 32), data_range=1.0)
