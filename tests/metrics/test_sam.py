"""Spectral angle mapper metric: degrees, per sample, against a direct NumPy formula on a photo."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.typing import NDArray

from gan_engine.metrics.sam import sam
from tests.metrics.conftest import as_batch, distorted


def reference_sam_degrees(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Mean over pixels of acos(<a, b> / |a||b|), ``a``, ``b`` channels first."""
    dot = (a * b).sum(axis=0)
    cosine = dot / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0))
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))).mean())


def test_sam_matches_the_formula_on_a_photo(photos: dict[str, NDArray[np.uint8]]) -> None:
    image = photos["chelsea"].astype(np.float64) + 1.0  # no zero vectors
    copy = distorted(photos["chelsea"], seed=5).astype(np.float64) + 1.0
    expected = reference_sam_degrees(np.moveaxis(copy, -1, 0), np.moveaxis(image, -1, 0))
    got = sam(as_batch(copy), as_batch(image))
    assert float(got[0]) == pytest.approx(expected, abs=1e-3)
    assert expected > 1.0


def test_sam_known_angles_in_degrees() -> None:
    a = torch.tensor([[1.0, 1.0], [0.0, 0.0]]).reshape(1, 2, 1, 2)  # (1, 0) and (1, 0)
    b = torch.tensor([[0.0, 1.0], [1.0, 1.0]]).reshape(1, 2, 1, 2)  # (0, 1) and (1, 1)
    assert float(sam(a, b)[0]) == pytest.approx((90.0 + 45.0) / 2)
    zeros = torch.zeros(2, 3, 4, 4)
    assert sam(zeros, zeros).tolist() == [0.0, 0.0]
    assert float(sam(zeros[:1], torch.ones(1, 3, 4, 4))[0]) == pytest.approx(90.0)


def test_sam_small_angles_are_accurate() -> None:
    angle = 1e-6  # radians; acos(cos θ) in float64 loses this entirely
    a = torch.tensor([1.0, 0.0], dtype=torch.float64).reshape(1, 2, 1, 1)
    b = torch.tensor([np.cos(angle), np.sin(angle)], dtype=torch.float64).reshape(1, 2, 1, 1)
    assert float(sam(a, b)[0]) == pytest.approx(np.degrees(angle), rel=1e-6)


def test_sam_3d_per_sample() -> None:
    x = torch.rand(3, 4, 5, 6, 7) + 0.1
    got = sam(x, x * 3.0)
    assert got.shape == (3,)
    assert torch.all(got < 1e-5)
