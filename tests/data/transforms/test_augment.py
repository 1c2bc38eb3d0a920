"""Aligned augmentation: every flip/turn commutes with downsampling, so LR and HR stay aligned."""

from __future__ import annotations

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.data.transforms.augment import DihedralTransform, augment_pair
from gan_engine.data.transforms.degradation import downsample


def all_transforms(dims: int) -> list[DihedralTransform]:
    return [
        DihedralTransform(flips=flips, quarter_turns=turns)
        for flips in itertools.product([False, True], repeat=dims)
        for turns in range(4)
    ]


def integer_pair(
    shape: tuple[int, ...], scale: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    # Integer values and power-of-two blocks keep area means exact, so equality is exact.
    hr = torch.randint(0, 256, shape, generator=generator).float()
    lr = downsample(hr.unsqueeze(0), scale, "area").squeeze(0)
    return lr, hr


@pytest.mark.parametrize("dims", [2, 3])
def test_every_transform_keeps_lr_and_hr_aligned(dims: int) -> None:
    scale = 2
    shape = (2, 4, 6, 8) if dims == 3 else (2, 6, 8)  # non-square in-plane: turns swap H and W
    lr, hr = integer_pair(shape, scale, seed=dims)
    for transform in all_transforms(dims):
        hr_aug, lr_aug = transform(hr), transform(lr)
        assert lr_aug.shape[1:] == tuple(n // scale for n in hr_aug.shape[1:])
        assert torch.equal(downsample(hr_aug.unsqueeze(0), scale, "area").squeeze(0), lr_aug)


@settings(deadline=None, max_examples=25)
@given(
    dims=st.sampled_from([2, 3]),
    scale=st.sampled_from([2, 4]),
    blocks=st.integers(1, 3),
    channels=st.integers(1, 4),
    seed=st.integers(0, 2**31 - 1),
)
def test_augment_pair_applies_the_same_transform(
    dims: int, scale: int, blocks: int, channels: int, seed: int
) -> None:
    shape = (channels,) + (blocks * scale,) * dims
    lr, hr = integer_pair(shape, scale, seed)
    lr_aug, hr_aug = augment_pair(lr, hr, dims, torch.Generator().manual_seed(seed))  # type: ignore[arg-type]
    assert torch.equal(downsample(hr_aug.unsqueeze(0), scale, "area").squeeze(0), lr_aug)
    expected = DihedralTransform.random(dims, torch.Generator().manual_seed(seed))  # type: ignore[arg-type]
    assert torch.equal(hr_aug, expected(hr))


def test_transforms_reach_all_eight_symmetries_of_the_square() -> None:
    image = torch.arange(16.0).view(1, 4, 4)
    results = {tuple(t(image).flatten().tolist()) for t in all_transforms(2)}
    assert len(results) == 8


def test_random_draws_are_reproducible_and_varied() -> None:
    draws = [DihedralTransform.random(3, torch.Generator().manual_seed(s)) for s in range(40)]
    again = [DihedralTransform.random(3, torch.Generator().manual_seed(s)) for s in range(40)]
    assert draws == again
    assert len(set(draws)) > 8
    assert {d.quarter_turns for d in draws} == {0, 1, 2, 3}
