"""The embedded sample_photos dataset: real photos from scikit-image's folder, no download."""

from __future__ import annotations

import pytest

from gan_engine.data.files import available_sample_photos
from gan_engine.data.photos.params import SamplePhotosParams
from gan_engine.data.photos.selectors import SamplePhotosSelector
from gan_engine.errors import InvalidParamError
from gan_engine.registry import DATASETS
from gan_engine.types import BuildContext


def test_finds_photos_and_splits_them() -> None:
    photos = available_sample_photos()
    assert len(photos) >= 5
    selector = DATASETS.get("sample_photos").factory(2, 3, 4, SamplePhotosParams.tiny())
    assert isinstance(selector, SamplePhotosSelector)
    train, val = set(selector.train_paths), set(selector.val_paths)
    assert not train & val
    assert train | val == set(photos.values())
    assert [p.stem for p in selector.val_paths] == ["chelsea", "coffee"]
    assert selector.data_range == 255.0
    assert DATASETS.get("sample_photos").capabilities.spatial_dims == frozenset({2})


def test_datasets_yield_pairs() -> None:
    selector = SamplePhotosSelector(2, 3, 2, SamplePhotosParams.tiny())
    item = selector.train_dataset()[0]
    assert item["hr"].shape == (3, 32, 32)
    assert item["lr"].shape == (3, 16, 16)
    tile = selector.val_dataset()[0]
    assert tile["hr"].shape == (3, 64, 64)
    assert tile["lr"].shape == (3, 32, 32)
    assert float(tile["hr"].min()) >= 0.0
    assert float(tile["hr"].max()) <= 255.0


def test_defaults_cache_and_hold_out_two() -> None:
    params = SamplePhotosParams()
    assert params.cache is True
    assert params.val_images == ["chelsea", "coffee"]


@pytest.mark.parametrize(
    "names", [["chelsea", "nonexistent"], [], ["coffee", "coffee"], list(available_sample_photos())]
)
def test_val_images_are_validated(names: list[str]) -> None:
    with pytest.raises(InvalidParamError) as caught:
        SamplePhotosParams(val_images=names)
    assert caught.value.key == "val_images"


def test_only_2d_and_matching_channels() -> None:
    params = SamplePhotosParams.tiny()
    errors = params.check(BuildContext(spatial_dims=3, channels=1, scale=4))
    assert {error.key for error in errors} == {"spatial_dims", "color"}
    with pytest.raises(InvalidParamError):
        SamplePhotosSelector(3, 3, 4, params)
