"""N-D HR-only datasets: patch shapes, LR/HR alignment, reproducibility, tiles, size errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from gan_engine.data.sources import MemorySource
from gan_engine.data.transforms.degradation import degrade
from gan_engine.data.volumes.datasets import HRPatchDataset, HRTileGridDataset
from gan_engine.errors import DataError


def _volume(shape: tuple[int, ...], seed: int = 0, label: str = "vol") -> MemorySource:
    rng = np.random.default_rng(seed)
    return MemorySource(rng.integers(0, 256, shape).astype(np.float32), label)


@given(
    depth=st.sampled_from([4, 8]),
    side=st.sampled_from([4, 8, 12]),
    scale=st.sampled_from([1, 2, 4]),
    channels=st.integers(1, 2),
    seed=st.integers(0, 1000),
)
def test_3d_patches_are_aligned_pairs(
    depth: int, side: int, scale: int, channels: int, seed: int
) -> None:
    assume(depth % scale == 0 and side % scale == 0)
    sources = [_volume((channels, 9, 13, 14), 1), _volume((channels, 12, 12, 12), 2)]
    dataset = HRPatchDataset(sources, scale, (depth, side, side), 255.0, "area", seed=seed)
    item = dataset[seed % len(dataset)]
    assert item["hr"].shape == (channels, depth, side, side)
    assert item["lr"].shape == (channels, depth // scale, side // scale, side // scale)
    assert item["hr"].dtype == item["lr"].dtype == torch.float32
    torch.testing.assert_close(
        item["lr"], degrade(item["hr"], scale, "area", 255.0, quantise=False)
    )
    assert float(item["hr"].min()) >= 0.0
    assert float(item["hr"].max()) <= 255.0


def test_patches_come_from_the_source_without_augmentation() -> None:
    array = np.arange(6 * 10 * 11, dtype=np.float32).reshape(1, 6, 10, 11)
    dataset = HRPatchDataset([MemorySource(array, "r")], 2, (4, 6, 6), 1e4, augment=False)
    hr = dataset[3]["hr"].numpy()
    d, h, w = (int(np.argwhere(array[0] == hr[0, 0, 0, 0])[0][axis]) for axis in range(3))
    np.testing.assert_array_equal(hr, array[:, d : d + 4, h : h + 6, w : w + 6])


def test_reproducible_by_seed_and_epoch() -> None:
    sources = [_volume((1, 16, 16, 16))]
    first = HRPatchDataset(sources, 2, (8, 8, 8), 255.0, seed=3)
    again = HRPatchDataset(sources, 2, (8, 8, 8), 255.0, seed=3)
    other = HRPatchDataset(sources, 2, (8, 8, 8), 255.0, seed=4)
    torch.testing.assert_close(first[5]["hr"], again[5]["hr"])
    assert not torch.equal(first[5]["hr"], other[5]["hr"])
    epoch0 = first[5]["hr"]
    first.set_epoch(1)
    assert not torch.equal(first[5]["hr"], epoch0)
    first.set_epoch(0)
    torch.testing.assert_close(first[5]["hr"], epoch0)


def test_sources_are_used_in_turn() -> None:
    sources = [
        MemorySource(np.full((1, 4, 4, 4), value, np.float32), str(value)) for value in (1, 2, 3)
    ]
    dataset = HRPatchDataset(sources, 2, (4, 4, 4), 255.0, samples_per_epoch=6)
    assert [float(dataset[i]["hr"][0, 0, 0, 0]) for i in range(6)] == [1, 2, 3, 1, 2, 3]
    dataset.set_epoch(1)
    assert float(dataset[0]["hr"].mean()) == 1.0  # 6 % 3 == 0: epoch 1 starts at source 0 again


def test_2d_patches_and_quantised_lr() -> None:
    dataset = HRPatchDataset([_volume((3, 20, 24))], 4, (16, 16), 255.0, "bicubic", quantise=True)
    item = dataset[0]
    assert item["hr"].shape == (3, 16, 16)
    assert item["lr"].shape == (3, 4, 4)
    assert torch.equal(item["lr"], item["lr"].round())


def test_tiles_cover_a_grid_without_overlap() -> None:
    array = np.arange(2 * 9 * 10 * 13, dtype=np.float32).reshape(2, 9, 10, 13)
    dataset = HRTileGridDataset(
        [MemorySource(array, "grid"), _volume((2, 4, 4, 4))], 2, (4, 4, 4), 1e4
    )
    assert len(dataset) == 2 * 2 * 3 + 1  # edge strips dropped
    last = dataset[11]["hr"].numpy()
    np.testing.assert_array_equal(last, array[:, 4:8, 4:8, 8:12])
    assert dataset[12]["hr"].shape == (2, 4, 4, 4)
    assert dataset[0]["lr"].shape == (2, 2, 2, 2)


def test_flat_tiles_can_be_left_out() -> None:
    array = np.zeros((1, 4, 8, 8), np.float32)
    array[0, :, 4:, 4:] = np.arange(64, dtype=np.float32).reshape(4, 4, 4)
    source = MemorySource(array, "head")
    assert len(HRTileGridDataset([source], 2, (4, 4, 4), 255.0)) == 4
    kept = HRTileGridDataset([source], 2, (4, 4, 4), 255.0, skip_flat=True)
    assert kept.tiles == [(0, ((0, 4), (4, 8), (4, 8)))]
    background = MemorySource(np.zeros((1, 4, 8, 8), np.float32), "empty.nii")
    with pytest.raises(DataError, match=r"every validation tile of 4x4x4 is flat.*empty\.nii"):
        HRTileGridDataset([background], 2, (4, 4, 4), 255.0, skip_flat=True)


def test_sources_smaller_than_the_patch_are_named() -> None:
    small = _volume((1, 6, 30, 30), label="thin.nii")
    with pytest.raises(
        DataError, match=r"thin\.nii is 6x30x30, smaller than the training patch of 8x16x16"
    ):
        HRPatchDataset([small], 2, (8, 16, 16), 255.0)
    with pytest.raises(DataError, match=r"thin\.nii is 6x30x30, smaller than the validation patch"):
        HRTileGridDataset([small], 2, (8, 8, 8), 255.0)


def test_mixed_channels_and_bad_sizes() -> None:
    with pytest.raises(DataError, match="b has 2 channel"):
        HRPatchDataset(
            [_volume((1, 8, 8, 8), label="a"), _volume((2, 8, 8, 8), label="b")], 2, (4, 4, 4), 1.0
        )
    with pytest.raises(ValueError, match="multiples of the scale 2"):
        HRPatchDataset([_volume((1, 8, 8, 8))], 2, (3, 4, 4), 1.0)
    with pytest.raises(ValueError, match="not available in 3D"):
        HRPatchDataset([_volume((1, 8, 8, 8))], 2, (4, 4, 4), 1.0, "bicubic")
