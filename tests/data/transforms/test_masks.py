"""Nodata masks: nodata values and non-finite pixels are invalid; fill values stay out of the mask."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gan_engine.data.transforms.masks import fill_invalid, mask_tensor, upsample_mask, valid_pixels


def test_nodata_in_any_band_invalidates_the_pixel() -> None:
    array = np.ones((3, 2, 3), np.uint16)
    array[1, 0, 0] = 0
    valid = valid_pixels(array, nodata=0)
    assert valid.tolist() == [[False, True, True], [True, True, True]]
    assert valid_pixels(array, nodata=None).all()


def test_non_finite_floats_are_invalid_whatever_the_nodata() -> None:
    array = np.ones((2, 2, 2), np.float32)
    array[0, 0, 1] = np.nan
    array[1, 1, 0] = np.inf
    array[0, 1, 1] = -9999.0
    valid = valid_pixels(array, nodata=-9999.0)
    assert valid.tolist() == [[True, False], [False, False]]


def test_nodata_outside_the_dtype_range_matches_nothing() -> None:
    assert valid_pixels(np.zeros((1, 2, 2), np.uint16), nodata=-9999.0).all()


@pytest.mark.parametrize(("fill", "expected"), [("mean", 3.0), ("zero", 0.0)])
def test_fill_replaces_only_invalid_pixels(fill: str, expected: float) -> None:
    values = torch.tensor([[[1.0, 5.0], [60000.0, float("nan")]]])
    valid = torch.tensor([[True, True], [False, False]])
    filled = fill_invalid(values, valid, fill)  # type: ignore[arg-type]
    assert filled[0, 0].tolist() == [1.0, 5.0]
    assert filled[0, 1].tolist() == [expected, expected]


def test_fill_of_a_window_without_valid_pixels_is_zero() -> None:
    filled = fill_invalid(torch.full((2, 2, 2), 7.0), torch.zeros(2, 2, dtype=torch.bool), "mean")
    assert torch.equal(filled, torch.zeros(2, 2, 2))


def test_mask_tensor_and_upsampling() -> None:
    valid = torch.tensor([[True, False]])
    assert upsample_mask(valid, 2).tolist() == [[True, True, False, False]] * 2
    mask = mask_tensor(valid)
    assert mask.shape == (1, 1, 2)
    assert mask.dtype == torch.float32
