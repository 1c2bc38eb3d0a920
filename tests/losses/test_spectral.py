"""Known values of the spectral angle and histogram losses."""

from __future__ import annotations

import math

import pytest
import torch

from gan_engine.losses.spectral import HistogramLoss, HistogramParams, SAMLoss, SAMParams
from gan_engine.protocols import LossContext

NONE = LossContext()
RAW = SAMParams(offset=0.0)


def pixel(*bands: float) -> torch.Tensor:
    """One pixel ``[1, C, 1, 1]``."""
    return torch.tensor(bands).reshape(1, -1, 1, 1)


@pytest.mark.parametrize(
    ("a", "b", "angle"),
    [
        ((1.0, 0.0), (0.0, 1.0), math.pi / 2),
        ((1.0, 0.0), (1.0, 1.0), math.pi / 4),
        ((1.0, 0.0), (-1.0, 0.0), math.pi),
        ((2.0, 1.0, 0.5), (4.0, 2.0, 1.0), 0.0),  # scale-invariant
        ((0.0, 0.0), (1.0, 1.0), math.pi / 2),  # a zero vector
    ],
)
def test_sam_angles(a: tuple[float, ...], b: tuple[float, ...], angle: float) -> None:
    assert float(SAMLoss(RAW)(pixel(*a), pixel(*b), NONE)) == pytest.approx(angle, abs=1e-5)


def test_sam_gradient_is_finite_at_zero_vectors_and_identity() -> None:
    for start in ((0.0, 0.0, 0.0), (1.0, 2.0, 3.0)):
        sr = pixel(*start).requires_grad_(True)
        value = SAMLoss(RAW)(sr, pixel(1.0, 2.0, 3.0), NONE)
        value.backward()
        assert sr.grad is not None
        assert torch.isfinite(sr.grad).all()


def test_sam_offset_measures_the_angle_of_the_original_spectra() -> None:
    # reflectances r in [0, 1] normalised to 2r - 1: offset 1 (default) gives 2r, the same angle.
    a, b = torch.tensor([0.2, 0.6]), torch.tensor([0.6, 0.2])
    expected = math.acos(float(a @ b / (a.norm() * b.norm())))
    normalised = SAMLoss()(pixel(*(2 * a - 1)), pixel(*(2 * b - 1)), NONE)
    assert float(normalised) == pytest.approx(expected, abs=1e-5)


def test_sam_mean_over_valid_pixels() -> None:
    sr = torch.tensor([[1.0, 1.0], [0.0, 1.0]]).reshape(
        1, 2, 1, 2
    )  # pixel 0: (1, 0), pixel 1: (1, 1)
    hr = torch.tensor([[0.0, 1.0], [1.0, 1.0]]).reshape(
        1, 2, 1, 2
    )  # pixel 0: (0, 1), pixel 1: (1, 1)
    assert float(SAMLoss(RAW)(sr, hr, NONE)) == pytest.approx(math.pi / 4, abs=1e-5)
    mask = torch.tensor([1.0, 0.0]).reshape(1, 1, 1, 2)
    masked = SAMLoss(RAW)(sr, hr, LossContext(mask=mask))
    assert float(masked) == pytest.approx(math.pi / 2, abs=1e-5)


def test_histogram_is_wasserstein_1() -> None:
    sr = torch.tensor([0.0, 1.0, 2.0, 3.0]).reshape(1, 1, 2, 2)
    hr = torch.full_like(sr, 3.0)
    assert float(HistogramLoss()(sr, hr, NONE)) == pytest.approx(1.5)  # (3 + 2 + 1 + 0) / 4
    assert float(HistogramLoss()(sr + 0.25, sr, NONE)) == pytest.approx(0.25)


def test_histogram_ignores_where_values_are() -> None:
    generator = torch.Generator().manual_seed(0)
    hr = torch.rand(2, 3, 4, 5, 6, generator=generator)
    shuffled = hr.flatten(2)[..., torch.randperm(120, generator=generator)].reshape(hr.shape)
    assert float(HistogramLoss()(shuffled, hr, NONE)) == pytest.approx(0.0, abs=1e-7)
    assert float(torch.nn.functional.l1_loss(shuffled, hr)) > 0.1


def test_histogram_mask_and_band_weights() -> None:
    sr = torch.tensor([[0.0, 1.0, 9.0], [5.0, 5.0, 5.0]]).reshape(1, 2, 1, 3)
    hr = torch.tensor([[1.0, 0.0, -9.0], [4.0, 4.0, 4.0]]).reshape(1, 2, 1, 3)
    mask = torch.tensor([1.0, 1.0, 0.0]).reshape(1, 1, 1, 3)
    context = LossContext(mask=mask)
    # band 0 matches on its valid values (0, 1 vs 1, 0); band 1 is off by 1 everywhere.
    assert float(HistogramLoss()(sr, hr, context)) == pytest.approx(0.5)
    weighted = HistogramLoss(HistogramParams(band_weights=[3.0, 1.0]))(sr, hr, context)
    assert float(weighted) == pytest.approx(0.25)


def test_histogram_gradient_flows_through_the_sort() -> None:
    sr = torch.tensor([3.0, 0.0]).reshape(1, 1, 1, 2).requires_grad_(True)
    hr = torch.tensor([0.0, 1.0]).reshape(1, 1, 1, 2)
    HistogramLoss()(sr, hr, NONE).backward()
    assert sr.grad is not None
    # sorted: sr (0, 3) vs hr (0, 1): only the 3 is too large, by 2 of mean weight 1/2
    torch.testing.assert_close(sr.grad.flatten(), torch.tensor([0.5, 0.0]))
