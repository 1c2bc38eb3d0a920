"""The rgb_folder selector: split, shapes, relative paths, and every up-front error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from gan_engine.data.photos.params import RGBFolderParams
from gan_engine.data.photos.selectors import RGBFolderSelector
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.registry import DATASETS
from gan_engine.types import BuildContext

CONTEXT = BuildContext(spatial_dims=2, channels=3, scale=4)


def params(root: Path | str, **overrides: Any) -> RGBFolderParams:
    settings: dict[str, Any] = {"patch_size": 32, "val_patch_size": 24, "samples_per_epoch": 6}
    settings.update(overrides)
    return RGBFolderParams(root=str(root), **settings)


def build(p: RGBFolderParams, channels: int = 3, scale: int = 4, dims: int = 2) -> Any:
    return DATASETS.get("rgb_folder").factory(dims, channels, scale, p)  # type: ignore[arg-type]


def keys(p: RGBFolderParams, context: BuildContext = CONTEXT) -> dict[str, str]:
    return {error.key: error.message for error in p.check(context)}


def test_registered_for_2d_only() -> None:
    entry = DATASETS.get("rgb_folder")
    assert entry.params_cls is RGBFolderParams
    assert entry.capabilities.spatial_dims == frozenset({2})


def test_split_shapes_and_range(photo_folder: Path) -> None:
    selector = build(params(photo_folder))
    assert isinstance(selector, RGBFolderSelector)
    assert [p.name for p in selector.train_paths] == ["a.png", "b.png", "c.png"]
    assert [p.name for p in selector.val_paths] == ["d.png", "e.png"]
    assert (selector.spatial_dims, selector.channels, selector.scale) == (2, 3, 4)
    assert selector.data_range == 255.0
    train, val = selector.train_dataset(), selector.val_dataset()
    assert len(train) == 6
    assert train[0]["hr"].shape == (3, 32, 32)
    assert train[0]["lr"].shape == (3, 8, 8)
    # d.png is 72x64 and e.png 80x64: 3x2 tiles each of 24 px
    assert len(val) == 12
    assert val[0]["hr"].shape == (3, 24, 24)
    assert val[0]["lr"].shape == (3, 6, 6)
    assert float(val[0]["hr"].max()) <= 255.0


def test_fixed_seed_and_epoch_reproduce_crops(photo_folder: Path) -> None:
    first = build(params(photo_folder, seed=7)).train_dataset()
    second = build(params(photo_folder, seed=7)).train_dataset()
    assert all(torch.equal(first[i]["hr"], second[i]["hr"]) for i in range(len(first)))
    second.set_epoch(1)
    assert not all(torch.equal(first[i]["hr"], second[i]["hr"]) for i in range(len(first)))


def test_validation_tiles_are_deterministic(photo_folder: Path) -> None:
    one = build(params(photo_folder)).val_dataset()
    two = build(params(photo_folder, seed=99)).val_dataset()
    assert all(torch.equal(one[i]["lr"], two[i]["lr"]) for i in range(len(one)))
    assert all(torch.equal(one[i]["hr"], one[i]["hr"]) for i in range(len(one)))


def test_relative_root_is_taken_from_the_working_directory(
    photo_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(photo_folder.parent)
    assert keys(params("photos")) == {}
    selector = build(params("photos"))
    assert selector.train_paths[0] == photo_folder / "a.png"


def test_val_root_and_extensions(
    photo_folder: Path, tmp_path: Path, write_image: Any, random_rgb: Any
) -> None:
    (photo_folder / "notes.txt").write_text("not an image")
    write_image(photo_folder / "F.PNG", random_rgb(40, 40, 5))
    val_root = tmp_path / "val"
    write_image(val_root / "v.png", random_rgb(48, 48, 6))
    selector = build(params(photo_folder, val_root=str(val_root)))
    names = [p.name for p in selector.train_paths]
    assert names == ["F.PNG", "a.png", "b.png", "c.png", "d.png", "e.png"]  # all train, any case
    assert [p.name for p in selector.val_paths] == ["v.png"]
    only_jpeg = params(photo_folder, extensions=["jpg"])
    assert "no images with extensions ['jpg']" in keys(only_jpeg)["root"]


def test_gray_color_gives_one_channel(photo_folder: Path) -> None:
    selector = build(params(photo_folder, color="gray"), channels=1)
    assert selector.train_dataset()[0]["hr"].shape == (1, 32, 32)


def test_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    errors = keys(params(missing))
    assert set(errors) == {"root"}
    assert str(missing) in errors["root"]
    assert "does not exist" in errors["root"]
    with pytest.raises(InvalidParamError) as caught:
        build(params(missing))
    assert caught.value.key == "root"


def test_root_is_a_file_or_empty(tmp_path: Path) -> None:
    file = tmp_path / "file.png"
    file.write_bytes(b"")
    assert "is not a folder" in keys(params(file))["root"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no images" in keys(params(empty))["root"]
    assert "does not exist" in keys(params(tmp_path, val_root=str(tmp_path / "x")))["val_root"]


def test_too_few_images_for_the_split(photo_folder: Path) -> None:
    message = keys(params(photo_folder, val_count=5))["root"]
    assert "holds 5 image(s), 6 needed" in message
    assert str(photo_folder) in message


def test_patch_sizes_must_be_multiples_of_scale(photo_folder: Path) -> None:
    errors = keys(params(photo_folder, patch_size=30, val_patch_size=26))
    assert set(errors) == {"patch_size", "val_patch_size"}
    assert "multiple of the scale 4" in errors["patch_size"]
    with pytest.raises(InvalidParamError) as caught:
        build(params(photo_folder, patch_size=30))
    assert caught.value.key == "patch_size"


def test_channels_must_match_color(photo_folder: Path) -> None:
    message = keys(params(photo_folder, color="gray"))["color"]
    assert "'gray' gives 1 channel" in message
    assert "channels=3" in message
    with pytest.raises(InvalidParamError, match="channels=4"):
        build(params(photo_folder), channels=4)


def test_only_2d(photo_folder: Path) -> None:
    errors = keys(params(photo_folder), BuildContext(spatial_dims=3, channels=3, scale=4))
    assert "spatial_dims=3" in errors["spatial_dims"]


def test_unreadable_image_is_named_at_construction(photo_folder: Path) -> None:
    (photo_folder / "b_broken.png").write_bytes(b"garbage bytes, not a PNG")
    with pytest.raises(DataError, match=r"b_broken\.png"):
        build(params(photo_folder))


def test_image_smaller_than_patch_is_named(
    photo_folder: Path, write_image: Any, random_rgb: Any
) -> None:
    write_image(photo_folder / "a_tiny.png", random_rgb(16, 20, 3))
    with pytest.raises(DataError, match=r"a_tiny\.png is 20x16 pixels.*patch_size 32"):
        build(params(photo_folder))


def test_16_bit_gray_folder(tmp_path: Path, write_image: Any) -> None:
    rng = np.random.default_rng(0)
    for name in "xyz":
        write_image(tmp_path / f"{name}.png", rng.integers(0, 65536, (40, 40), dtype=np.uint16))
    selector = build(params(tmp_path, color="gray", val_count=1), channels=1)
    assert selector.data_range == 65535.0


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"color": "cmyk"}, "color"),
        ({"degradation": "trilinear"}, "degradation"),
        ({"patch_size": 0}, "patch_size"),
        ({"val_count": 0}, "val_count"),
        ({"extensions": []}, "extensions"),
        ({"seed": -3}, "seed"),
    ],
)
def test_invalid_values_name_the_key(overrides: Any, key: str) -> None:
    with pytest.raises(InvalidParamError) as caught:
        params("anywhere", **overrides)
    assert caught.value.key == key


@pytest.mark.parametrize("field", ["root", "val_root"])
def test_empty_folder_names_are_rejected(field: str) -> None:
    settings: dict[str, Any] = {"root": "photos", field: "  "}
    with pytest.raises(InvalidParamError) as caught:
        RGBFolderParams(**settings)
    assert caught.value.key == field
