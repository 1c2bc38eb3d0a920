"""Inpainting metrics: hole scores count only missing pixels; bins split the batch by hole ratio."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.metrics.holes import (
    binned,
    hole_psnr,
    hole_ssim,
    inpainting_quality,
    ratio_bin,
    ratio_bins,
)
from gan_engine.metrics.psnr import psnr


def test_hole_psnr_ignores_known_pixels() -> None:
    target = torch.zeros(2, 3, 8, 8)
    output = target.clone()
    holes = torch.zeros(2, 1, 8, 8)
    holes[0, :, :4] = 1.0  # sample 0: the top half is missing; sample 1 has no hole
    output[0, :, :4] = 0.1  # error 0.1 in the holes
    output[:, :, 4:] = 5.0  # large errors on known pixels do not count
    values = hole_psnr(output, target, holes, data_range=1.0)
    assert values[0].item() == pytest.approx(20.0)
    assert math.isnan(values[1].item())


@settings(deadline=None, max_examples=6, derandomize=True, database=None)
@given(seed=st.integers(0, 1000), dims=st.sampled_from([2, 3]))
def test_all_hole_scores_equal_the_ordinary_ones(seed: int, dims: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    shape = (2, 2, *([12] * dims))
    target, output = torch.rand(shape, generator=generator), torch.rand(shape, generator=generator)
    everywhere = torch.ones(2, 1, *shape[2:])
    torch.testing.assert_close(
        hole_psnr(output, target, everywhere, 1.0), psnr(output, target, 1.0)
    )
    quality = inpainting_quality(output, output, target, everywhere, 1.0)
    torch.testing.assert_close(quality["ssim_hole"], quality["ssim"])


def test_hole_ssim_is_one_for_a_perfect_fill_and_nan_without_holes() -> None:
    target = torch.rand(1, 1, 16, 16)
    holes = torch.zeros(1, 1, 16, 16)
    holes[..., 6:10, 6:10] = 1.0
    assert hole_ssim(target, target, holes, 1.0).item() == pytest.approx(1.0)
    assert math.isnan(hole_ssim(target, target, torch.zeros_like(holes), 1.0).item())


def test_bins_and_binned_metrics() -> None:
    assert [ratio_bin(r) for r in (0.0, 0.099, 0.1, 0.299, 0.3, 1.0)] == [
        "thin", "thin", "medium", "medium", "thick", "thick",
    ]  # fmt: skip
    holes = torch.zeros(3, 2, 10, 10)
    holes[0, 0, :1] = 1.0  # 10 %: medium
    holes[1, 1, :5] = 1.0  # 50 %: thick
    holes[2, 0, 0, :5] = 1.0  # 5 %: thin
    assert ratio_bins(holes) == ["medium", "thick", "thin"]
    split = binned({"psnr_hole": torch.tensor([1.0, 2.0, float("nan")])}, ratio_bins(holes))
    assert set(split) == {"psnr_hole_medium", "psnr_hole_thick"}
    assert split["psnr_hole_thick"].tolist() == [2.0]
