"""Hole masks resized and pooled to logit grids keep every hole, in 2D and 3D."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.nn.mask_pool import pool_mask_to, resize_mask

SETTINGS = settings(deadline=None, max_examples=20, derandomize=True, database=None)


@st.composite
def single_holes(draw: st.DrawFn) -> tuple[torch.Tensor, tuple[int, ...]]:
    """A ``[1, 1, *S]`` mask with one hole pixel, and a target size no larger than ``S``."""
    dims = draw(st.sampled_from([2, 3]))
    size = tuple(draw(st.integers(2, 12)) for _ in range(dims))
    target = tuple(draw(st.integers(1, n)) for n in size)
    mask = torch.zeros(1, 1, *size)
    mask[(0, 0, *(draw(st.integers(0, n - 1)) for n in size))] = 1.0
    return mask, target


@SETTINGS
@given(case=single_holes())
def test_shrinking_never_drops_a_hole(case: tuple[torch.Tensor, tuple[int, ...]]) -> None:
    mask, target = case
    resized = resize_mask(mask, target)
    assert resized.shape == (1, 1, *target)
    assert resized.max() == 1.0
    assert set(resized.flatten().tolist()) <= {0.0, 1.0}


@pytest.mark.parametrize("dims", [2, 3])
def test_integer_shrink_is_max_pooling_and_growth_is_nearest(dims: int) -> None:
    mask = (
        torch.rand(2, 3, *([8] * dims), generator=torch.Generator().manual_seed(0)) > 0.8
    ).float()
    pool = F.max_pool2d if dims == 2 else F.max_pool3d
    torch.testing.assert_close(resize_mask(mask, [4] * dims), pool(mask, 2), rtol=0, atol=0)
    grown = resize_mask(mask, [24] * dims)
    torch.testing.assert_close(grown, F.interpolate(mask, size=[24] * dims, mode="nearest"))


def test_same_size_returns_the_mask_and_mean_gives_the_hole_fraction() -> None:
    mask = torch.zeros(1, 1, 4, 4)
    mask[0, 0, 0, 0] = 1.0
    assert resize_mask(mask, (4, 4)) is mask
    assert resize_mask(mask, (2, 2), mode="mean")[0, 0].tolist() == [[0.25, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("dims", [2, 3])
def test_pool_to_global_logits_says_whether_a_sample_has_holes(dims: int) -> None:
    mask = torch.zeros(3, 2, *([6] * dims))
    mask[1, 1, *([0] * dims)] = 1.0  # a hole in one band of sample 1
    mask[2] = 1.0
    pooled = pool_mask_to(mask, (3, 1))
    assert pooled.flatten().tolist() == [0.0, 1.0, 1.0]
    mean = pool_mask_to(mask, (3, 1), mode="mean").flatten()
    torch.testing.assert_close(mean, torch.tensor([0.0, 1 / 6**dims, 1.0]))


@pytest.mark.parametrize("dims", [2, 3])
def test_pool_to_patch_logits_merges_bands(dims: int) -> None:
    mask = torch.zeros(1, 3, *([8] * dims))
    mask[0, 2, *([7] * dims)] = 1.0
    pooled = pool_mask_to(mask, (1, 1, *([4] * dims)))
    assert pooled.shape == (1, 1, *([4] * dims))
    assert pooled.sum() == 1.0
    assert pooled[(0, 0, *([3] * dims))] == 1.0


@pytest.mark.parametrize(
    ("mask_shape", "logits_shape", "match"),
    [
        ((1, 1, 8), (1, 1), r"\[B, C, H, W\]"),
        ((2, 1, 8, 8), (1, 1), r"logits must be \[2, 1\]"),
        ((2, 1, 8, 8), (2, 1, 4), r"got \(2, 1, 4\)"),
        ((2, 1, 8, 8), (2, 2, 4, 4), r"got \(2, 2, 4, 4\)"),
    ],
)
def test_pool_refuses_shapes_that_do_not_fit(
    mask_shape: tuple[int, ...], logits_shape: tuple[int, ...], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        pool_mask_to(torch.zeros(mask_shape), logits_shape)


def test_resize_refuses_a_wrong_number_of_axes() -> None:
    with pytest.raises(ValueError, match="size must have 2 axes"):
        resize_mask(torch.zeros(1, 1, 4, 4), (2, 2, 2))
    with pytest.raises(ValueError, match="must be >= 1"):
        resize_mask(torch.zeros(1, 1, 4, 4), (0, 2))
