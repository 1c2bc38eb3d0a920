"""Noise stages: statistics within tolerance of their parameters, identity at zero strength."""

from __future__ import annotations

import math

import pytest
import torch

from gan_engine.degradations.noise import (
    GaussianNoise,
    GaussianNoiseParams,
    PoissonGaussianNoise,
    PoissonGaussianNoiseParams,
    PoissonNoise,
    PoissonNoiseParams,
    RicianNoise,
    RicianNoiseParams,
    SpeckleNoise,
    SpeckleNoiseParams,
)

SEEDS = torch.tensor([3, 4])


def _flat(value: float, dims: int = 2, channels: int = 3, size: int = 64) -> torch.Tensor:
    side = size if dims == 2 else 16
    return torch.full((2, channels, *([side] * dims)), value)


@pytest.mark.parametrize("dims", [2, 3])
def test_gaussian_noise_standard_deviation(dims: int) -> None:
    x = _flat(0.5, dims)
    params = GaussianNoiseParams(sigma=(0.05, 0.05), shared_probability=0.0)
    out, _ = GaussianNoise(dims, 3, params)(x, x, SEEDS, 1)  # type: ignore[arg-type]
    noise = out - x
    assert abs(float(noise.std()) - 0.05) < 0.05 * 0.05
    assert abs(float(noise.mean())) < 0.002


def test_shared_gaussian_noise_is_identical_across_bands() -> None:
    x = _flat(0.5, channels=13)
    params = GaussianNoiseParams(sigma=(0.05, 0.05), shared_probability=1.0)
    out, _ = GaussianNoise(2, 13, params)(x, x, SEEDS, 1)
    assert torch.allclose(out[:, :1].expand_as(out), out)


def test_correlated_gaussian_noise_has_the_correlation() -> None:
    x = _flat(0.5, channels=2, size=128)
    params = GaussianNoiseParams(sigma=(0.02, 0.02), shared_probability=0.0, correlation=0.6)
    noise = GaussianNoise(2, 2, params)(x, x, SEEDS, 1)[0] - x
    a, b = noise[:, 0].flatten(), noise[:, 1].flatten()
    assert abs(float(torch.corrcoef(torch.stack([a, b]))[0, 1]) - 0.6) < 0.03


@pytest.mark.parametrize("dims", [2, 3])
def test_poisson_variance_equals_mean_in_counts(dims: int) -> None:
    x = _flat(0.4, dims)
    peak = 200.0
    params = PoissonNoiseParams(peak=(peak, peak), shared_probability=0.0)
    out, _ = PoissonNoise(dims, 3, params)(x, x, SEEDS, 1)  # type: ignore[arg-type]
    counts = out * peak
    assert abs(float(counts.mean()) - 80.0) < 0.5
    assert abs(float(counts.var()) / float(counts.mean()) - 1.0) < 0.05


def test_poisson_gaussian_variance() -> None:
    x = _flat(0.5, size=128)
    params = PoissonGaussianNoiseParams(peak=(500.0, 500.0), sigma=(0.02, 0.02))
    out, _ = PoissonGaussianNoise(2, 3, params)(x, x, SEEDS, 1)
    expected = 0.5 / 500 + 0.02**2
    assert abs(float(out.var()) / expected - 1.0) < 0.05


def test_rician_mean_shift() -> None:
    sigma = 0.05
    params = RicianNoiseParams(sigma=(sigma, sigma))
    zero = _flat(0.0, size=128)
    out, _ = RicianNoise(2, 3, params)(zero, zero, SEEDS, 1)
    assert abs(float(out.mean()) / (sigma * math.sqrt(math.pi / 2)) - 1.0) < 0.02  # Rayleigh
    bright = _flat(0.6, size=128)
    out, _ = RicianNoise(2, 3, params)(bright, bright, SEEDS, 1)
    assert abs(float(out.mean()) - math.sqrt(0.6**2 + sigma**2)) < 0.002  # high-SNR limit


@pytest.mark.parametrize("looks", [1, 4])
def test_speckle_has_unit_mean_and_variance_one_over_looks(looks: int) -> None:
    x = _flat(0.04, size=128)  # dark enough that clamping at 1 never cuts the tail
    out, _ = SpeckleNoise(2, 3, SpeckleNoiseParams(looks=(looks, looks)))(x, x, SEEDS, 1)
    ratio = out / 0.04
    assert abs(float(ratio.mean()) - 1.0) < 0.02
    assert abs(float(ratio.var()) * looks - 1.0) < 0.06


def test_zero_strength_is_identity() -> None:
    x = torch.rand(2, 13, 16, 16)
    gaussian = GaussianNoise(2, 13, GaussianNoiseParams(sigma=(0.0, 0.0)))
    assert torch.equal(gaussian(x, x, SEEDS, 1)[0], x)
    rician = RicianNoise(2, 13, RicianNoiseParams(sigma=(0.0, 0.0)))
    assert torch.allclose(rician(x, x, SEEDS, 1)[0], x)
    read_only = PoissonGaussianNoise(
        2, 13, PoissonGaussianNoiseParams(peak=(1e9, 1e9), sigma=(0.0, 0.0))
    )
    torch.testing.assert_close(read_only(x, x, SEEDS, 1)[0], x, atol=1e-3, rtol=0)
