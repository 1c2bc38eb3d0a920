"""HRImageDataset and HRTileDataset: shapes, alignment, reproducibility, tiles, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from gan_engine.data.photos.datasets import HRImageDataset, HRTileDataset
from gan_engine.data.transforms.degradation import degrade
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.io.images import read_image


def paths_of(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.png"))


def dataset(folder: Path, **overrides: Any) -> HRImageDataset:
    settings: dict[str, Any] = {"scale": 4, "patch_size": 32, "samples_per_epoch": 10, "seed": 3}
    settings.update(overrides)
    return HRImageDataset(paths_of(folder), **settings)


def same_items(a: HRImageDataset, b: HRImageDataset) -> bool:
    return all(
        torch.equal(a[i]["hr"], b[i]["hr"]) and torch.equal(a[i]["lr"], b[i]["lr"])
        for i in range(len(a))
    )


def test_items_have_lr_and_hr_shapes_and_range(photo_folder: Path) -> None:
    data = dataset(photo_folder)
    assert len(data) == 10
    assert data.data_range == 255.0
    for index in range(len(data)):
        item = data[index]
        assert item["hr"].shape == (3, 32, 32)
        assert item["lr"].shape == (3, 8, 8)
        assert item["hr"].dtype == item["lr"].dtype == torch.float32
        for side in ("lr", "hr"):
            assert 0.0 <= float(item[side].min()) <= float(item[side].max()) <= 255.0
            assert torch.equal(item[side], item[side].round())


def test_lr_is_the_degraded_hr(photo_folder: Path) -> None:
    data = dataset(photo_folder, degradation="area", augment=True)
    for index in range(4):
        item = data[index]
        assert torch.equal(item["lr"], degrade(item["hr"], 4, "area", 255.0))


def test_crop_is_a_window_of_image_index_modulo_count(photo_folder: Path) -> None:
    paths = paths_of(photo_folder)
    data = dataset(photo_folder, augment=False, samples_per_epoch=7)
    for index in range(7):
        image, _ = read_image(paths[index % len(paths)], "rgb")
        hr = data[index]["hr"]
        windows = image.unfold(1, 32, 1).unfold(2, 32, 1)  # [C, H', W', 32, 32]
        match = (windows == hr[:, None, None]).all(dim=(0, 3, 4))
        assert bool(match.any())


def test_reproducible_per_seed_and_epoch(photo_folder: Path) -> None:
    first, second = dataset(photo_folder), dataset(photo_folder)
    assert same_items(first, second)
    second.set_epoch(1)
    assert second.epoch == 1
    assert not same_items(first, second)
    first.set_epoch(1)
    assert same_items(first, second)
    assert not same_items(dataset(photo_folder), dataset(photo_folder, seed=4))


def test_cache_gives_the_same_items_without_reading_files_again(photo_folder: Path) -> None:
    cached = dataset(photo_folder, cache=True)
    expected = [cached[i] for i in range(len(cached))]
    for path in paths_of(photo_folder):
        path.write_bytes(b"gone")
    with pytest.raises(DataError):
        dataset(photo_folder)  # the files really are unreadable now
    for index, item in enumerate(expected):
        assert torch.equal(cached[index]["hr"], item["hr"])
        assert torch.equal(cached[index]["lr"], item["lr"])


def test_uncached_matches_cached(photo_folder: Path) -> None:
    assert same_items(dataset(photo_folder, cache=True), dataset(photo_folder, cache=False))


def test_gray_gives_one_channel(photo_folder: Path) -> None:
    item = dataset(photo_folder, color="gray")[0]
    assert item["hr"].shape == (1, 32, 32)
    assert item["lr"].shape == (1, 8, 8)


def test_16_bit_images_keep_their_range(tmp_path: Path, write_image: Any) -> None:
    levels = np.random.default_rng(0).integers(0, 65536, (40, 40), dtype=np.uint16)
    path = write_image(tmp_path / "g16.png", levels)
    data = HRImageDataset([path], scale=2, patch_size=16, color="gray", samples_per_epoch=4)
    assert data.data_range == 65535.0
    assert float(max(data[i]["hr"].max() for i in range(4))) > 255.0


def test_image_smaller_than_patch_names_file_and_sizes(
    photo_folder: Path, write_image: Any, random_rgb: Any
) -> None:
    write_image(photo_folder / "small.png", random_rgb(20, 30, 9))
    with pytest.raises(DataError, match=r"small\.png is 30x20 pixels.*32x32"):
        dataset(photo_folder)


def test_mixed_bit_depths_name_files(photo_folder: Path, write_image: Any) -> None:
    write_image(photo_folder / "deep.png", np.zeros((64, 64), np.uint16))
    with pytest.raises(DataError, match=r"deep\.png"):
        dataset(photo_folder, color="gray")


def test_corrupt_image_is_named_up_front(photo_folder: Path) -> None:
    (photo_folder / "c_corrupt.png").write_bytes(b"\x89PNG garbage")
    with pytest.raises(DataError, match=r"c_corrupt\.png"):
        dataset(photo_folder)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"patch_size": 30}, "patch_size"),
        ({"patch_size": 2}, "patch_size"),
        ({"samples_per_epoch": 0}, "samples_per_epoch"),
        ({"seed": -1}, "seed"),
    ],
)
def test_invalid_settings_name_the_key(photo_folder: Path, overrides: Any, key: str) -> None:
    with pytest.raises(InvalidParamError) as caught:
        dataset(photo_folder, **overrides)
    assert caught.value.key == key


def test_tiles_cover_each_image_without_overlap(photo_folder: Path) -> None:
    paths = paths_of(photo_folder)[:2]  # 48x64 and 56x64
    tiles = HRTileDataset(paths, scale=4, tile_size=24)
    assert len(tiles) == (2 * 2) + (2 * 2)
    assert [t[1:] for t in tiles.tiles[:4]] == [(0, 0), (0, 24), (24, 0), (24, 24)]
    image, _ = read_image(paths[0], "rgb")
    item = tiles[1]
    assert torch.equal(item["hr"], image[:, 0:24, 24:48])
    assert item["lr"].shape == (3, 6, 6)
    assert torch.equal(item["lr"], degrade(item["hr"], 4, "bicubic", 255.0))
    again = HRTileDataset(paths, scale=4, tile_size=24, cache=True)
    assert all(torch.equal(tiles[i]["lr"], again[i]["lr"]) for i in range(len(tiles)))


def test_validation_image_smaller_than_a_tile_is_named(photo_folder: Path) -> None:
    with pytest.raises(DataError, match=r"a\.png is 64x48 pixels.*one validation tile of 56x56"):
        HRTileDataset(paths_of(photo_folder), scale=4, tile_size=56)


def test_epochs_move_on_through_more_images_than_samples(tmp_path: Path, write_image: Any) -> None:
    paths = [
        write_image(tmp_path / f"{value:03d}.png", np.full((16, 16), value, np.uint8))
        for value in range(0, 250, 50)  # five flat images: 0, 50, 100, 150, 200
    ]
    data = HRImageDataset(paths, scale=2, patch_size=8, color="gray", samples_per_epoch=2)
    used: list[int] = []
    for epoch in range(3):
        data.set_epoch(epoch)
        used.extend(int(data[index]["hr"][0, 0, 0]) for index in range(2))
    assert used == [0, 50, 100, 150, 200, 0]
