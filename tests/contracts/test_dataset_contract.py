"""Every registered dataset honours the DatasetSelector protocol, or names the data it is missing.

The table below says, per dataset, what it reads: ``CHANNELS`` lists the datasets that ship their
own (embedded) samples, with their channel count; ``FOLDERS`` those that read the user's files. A
newly registered dataset fails ``test_every_dataset_has_a_row`` until it gets one, and is then tested
like the others: sample datasets build in every declared dim and yield ``lr``/``hr`` pairs of the
declared shapes; folder datasets refuse a missing folder with an error naming the parameter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
import torch

from gan_engine.errors import InvalidParamError
from gan_engine.protocols import DatasetSelector
from gan_engine.registry import DATASETS, DatasetFactory, Entry
from gan_engine.types import SpatialDims
from tests.contracts.strategies import cases, small_params

CHANNELS: dict[str, int] = {
    "sample_microscopy": 1,
    "sample_mri": 1,
    "sample_multispectral": 4,
    "sample_photos": 3,
    "sample_prompted_mri": 1,
    "sample_prompted_multispectral": 4,
    "sample_prompted_photos": 3,
    "sample_video": 3,
}
FOLDERS = frozenset(
    {
        "medical_mri",
        "microscopy",
        "prompted_mri",
        "prompted_photos",
        "prompted_rasters",
        "raster_folder",
        "rgb_folder",
        "sentinel2",
        "video",
    }
)
SCALE = 2
ENTRIES = DATASETS.entries()
SAMPLE_CASES = cases(e for e in ENTRIES if e.name in CHANNELS)
FOLDER_CASES = cases(e for e in ENTRIES if e.name in FOLDERS)


def test_registry_has_datasets_and_no_broken_modules() -> None:
    assert ENTRIES
    assert DATASETS.broken() == {}


def test_every_dataset_has_a_row() -> None:
    names = {entry.name for entry in ENTRIES}
    assert not CHANNELS.keys() & FOLDERS
    assert names == CHANNELS.keys() | FOLDERS, "add the new dataset to CHANNELS or FOLDERS"


def _build(entry: Entry[DatasetFactory], dims: SpatialDims, channels: int) -> DatasetSelector:
    selector = entry.factory(dims, channels, SCALE, small_params(entry))
    assert isinstance(selector, DatasetSelector)
    return selector


@pytest.mark.parametrize(("entry", "dims"), SAMPLE_CASES)
def test_sample_datasets_yield_pairs_of_the_declared_shapes(
    entry: Entry[DatasetFactory], dims: SpatialDims
) -> None:
    channels = CHANNELS[entry.name]
    selector = _build(entry, dims, channels)
    assert (selector.spatial_dims, selector.channels, selector.scale) == (dims, channels, SCALE)
    assert selector.data_range > 0
    for dataset in (selector.train_dataset(), selector.val_dataset()):
        assert len(dataset) > 0  # type: ignore[arg-type]
        sample = dataset[0]
        lr, hr = sample["lr"], sample["hr"]
        assert isinstance(lr, torch.Tensor)
        assert isinstance(hr, torch.Tensor)
        assert lr.ndim == hr.ndim == dims + 1
        assert lr.shape[0] == hr.shape[0] == channels
        assert tuple(hr.shape[1:]) == tuple(size * SCALE for size in lr.shape[1:])
        assert lr.is_floating_point()
        assert torch.isfinite(lr).all()
        assert torch.isfinite(hr).all()


@pytest.mark.parametrize(("entry", "dims"), SAMPLE_CASES)
def test_validation_samples_are_the_same_on_every_read(
    entry: Entry[DatasetFactory], dims: SpatialDims
) -> None:
    dataset = _build(entry, dims, CHANNELS[entry.name]).val_dataset()
    first, second = dataset[0], dataset[0]
    assert torch.equal(first["lr"], second["lr"])
    assert torch.equal(first["hr"], second["hr"])


@pytest.mark.parametrize(("entry", "dims"), SAMPLE_CASES)
def test_a_wrong_channel_count_names_the_parameter(
    entry: Entry[DatasetFactory], dims: SpatialDims
) -> None:
    with pytest.raises(InvalidParamError) as error:
        entry.factory(dims, CHANNELS[entry.name] + 1, SCALE, small_params(entry))
    assert error.value.key in {"channels", "color"}


@pytest.mark.parametrize(("entry", "dims"), FOLDER_CASES)
def test_folder_datasets_name_the_missing_folder(
    entry: Entry[DatasetFactory], dims: SpatialDims, tmp_path: Path
) -> None:
    missing = tmp_path / "missing"
    required: dict[str, Any] = {
        field.name: str(missing)
        for field in attrs.fields(entry.params_cls)
        if field.default is attrs.NOTHING
    }
    with pytest.raises(InvalidParamError) as error:
        entry.factory(dims, 3, SCALE, entry.params_cls(**required)).train_dataset()
    assert error.value.key == "root"
