"""medical_mri (NIfTI folders) and the embedded sample_mri: splits, shapes, ranges, bad input."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import pytest
import torch

from gan_engine.data.volumes.mri import (
    MedicalMRIParams,
    MedicalMRISelector,
    SampleMRIParams,
    SampleMRISelector,
    sample_mri_files,
)
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.registry import DATASETS
from gan_engine.types import BuildContext
from tests.data.modality_files import write_nifti


def _scans(folder: Path, count: int, shape: tuple[int, ...] = (20, 18, 12)) -> Path:
    rng = np.random.default_rng(0)
    for index in range(count):
        volume = rng.normal(400 * (index + 1), 100, shape).astype(np.int16)
        write_nifti(folder / f"scan{index}.nii.gz", volume)
    return folder


def _params(root: Path, **overrides: object) -> MedicalMRIParams:
    values: dict[str, object] = {
        "root": str(root),
        "patch_size": 8,
        "patch_depth": 4,
        "val_patch_size": 8,
        "val_patch_depth": 8,
        "samples_per_epoch": 4,
    }
    return MedicalMRIParams(**{**values, **overrides})  # type: ignore[arg-type]


def test_medical_mri_splits_by_name_and_scales_each_volume(tmp_path: Path) -> None:
    root = _scans(tmp_path / "mri", 3)
    selector = DATASETS.get("medical_mri").factory(3, 1, 2, _params(root))
    assert isinstance(selector, MedicalMRISelector)
    assert [Path(s.label).name for s in selector.val_sources] == ["scan2.nii.gz"]
    assert selector.data_range == 1.0
    assert selector.quantise is False
    item = selector.train_dataset()[0]
    assert item["hr"].shape == (1, 4, 8, 8)
    assert item["lr"].shape == (1, 2, 4, 4)
    assert float(item["hr"].min()) >= 0.0
    assert float(item["hr"].max()) <= 1.0
    tiles = selector.val_dataset()
    assert len(tiles) == 1 * 2 * 2  # 12 slices, 18 rows, 20 columns in tiles of 8
    assert tiles[0]["hr"].shape == (1, 8, 8, 8)
    # Each volume is scaled by its own percentiles, whatever its absolute level.
    means = [float(selector.val_dataset()[i]["hr"].mean()) for i in range(len(tiles))]
    assert all(0.3 < mean < 0.7 for mean in means)


def test_medical_mri_val_root_and_4d_channels(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    for folder in ("train", "val"):
        write_nifti(
            tmp_path / folder / "a.nii", rng.integers(0, 1000, (16, 16, 8, 3)).astype(np.int16)
        )
    params = _params(
        tmp_path / "train", val_root=str(tmp_path / "val"), fourth_axis="channels", volumes=[0, 2]
    )
    selector = MedicalMRISelector(3, 2, 2, params)
    assert selector.train_dataset()[1]["hr"].shape == (2, 4, 8, 8)
    per_volume = MedicalMRISelector(
        3, 1, 2, _params(tmp_path / "train", val_root=str(tmp_path / "val"))
    )
    assert len(per_volume.train_sources) == 3


def test_medical_mri_raw_intensity_keeps_values(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    for index in range(2):
        write_nifti(root / f"{index}.nii", np.full((8, 8, 8), 100 * (index + 1), np.uint16))
    params = _params(root, intensity="raw", val_patch_depth=4, val_skip_flat=False)
    selector = MedicalMRISelector(3, 1, 2, params)
    assert selector.data_range == 65535.0
    assert selector.quantise is True
    assert float(selector.val_dataset()[0]["hr"].mean()) == 200.0


def test_channel_mismatch_names_file_and_counts(tmp_path: Path) -> None:
    root = tmp_path / "mri"
    write_nifti(root / "a.nii", np.ones((16, 16, 8, 2), np.int16))
    write_nifti(root / "b.nii", np.ones((16, 16, 8, 3), np.int16))
    params = _params(root, fourth_axis="channels", intensity="raw", data_range=10.0)
    with pytest.raises(DataError, match=r"b\.nii has 3 channel\(s\), the run has channels=2"):
        MedicalMRISelector(3, 2, 2, params)


def test_volume_smaller_than_the_patch_is_named(tmp_path: Path) -> None:
    root = _scans(tmp_path / "mri", 2, shape=(20, 18, 6))
    with pytest.raises(
        DataError, match=r"scan0\.nii\.gz is 6x18x20, smaller than the training patch of 8x8x8"
    ):
        MedicalMRISelector(3, 1, 2, _params(root, patch_depth=8, val_patch_depth=6))


def test_corrupt_file_fails_at_construction(tmp_path: Path) -> None:
    root = _scans(tmp_path / "mri", 2)
    (root / "scan0.nii.gz").write_bytes(b"\x1f\x8b broken")
    with pytest.raises(DataError, match=r"scan0\.nii\.gz"):
        MedicalMRISelector(3, 1, 2, _params(root))


def test_medical_mri_params_check_the_run(tmp_path: Path) -> None:
    params = _params(tmp_path / "nowhere", degradation="trilinear", patch_size=7)
    keys = {error.key for error in params.check(BuildContext(2, 3, 2))}
    assert keys == {
        "spatial_dims",
        "degradation",
        "patch_size",
        "patch_depth",
        "val_patch_depth",
        "root",
        "fourth_axis",
    }
    with pytest.raises(InvalidParamError) as caught:
        MedicalMRIParams(root="x", volumes=[-1])
    assert caught.value.key == "volumes"
    with pytest.raises(InvalidParamError, match="window"):
        MedicalMRISelector(3, 1, 2, _params(_scans(tmp_path / "m", 2), intensity="window"))


def test_sample_mri_files_are_real_scans() -> None:
    files = sample_mri_files()
    assert set(files) == {"example4d.nii.gz", "anatomical.nii"}
    assert all(path.is_file() for path in files.values())


def test_sample_mri_holds_out_top_slices_of_both_time_points() -> None:
    selector = DATASETS.get("sample_mri").factory(3, 1, 2, SampleMRIParams.tiny())
    assert isinstance(selector, SampleMRISelector)
    assert DATASETS.get("sample_mri").capabilities.spatial_dims == frozenset({3})
    train_shapes = [source.shape for source in selector.train_sources]
    assert train_shapes == [(1, 16, 96, 128), (1, 16, 96, 128), (1, 25, 41, 33)]
    assert [source.shape for source in selector.val_sources] == [(1, 8, 96, 128)]
    assert "slices 16-23" in selector.val_sources[0].label
    assert all("slices 0-15" in source.label for source in selector.train_sources[:2])
    assert selector.data_range == 1.0
    item = selector.train_dataset()[0]
    assert item["hr"].shape == (1, 8, 16, 16)
    assert item["lr"].shape == (1, 4, 8, 8)
    tile = selector.val_dataset()[0]
    assert tile["hr"].shape == (1, 8, 32, 32)
    assert float(tile["hr"].min()) >= 0.0
    assert float(tile["hr"].max()) <= 1.0
    # The validation slab is the same voxels as the top of time point 0.
    volume = selector.train_sources[0].source  # the mapped time point 0 under the region view
    top = volume.read(((16, 24), (0, 32), (0, 32)))
    torch.testing.assert_close(tile["hr"], torch.from_numpy(top))


def test_sample_mri_without_anatomical_and_errors() -> None:
    params = attrs.evolve(SampleMRIParams.tiny(), include_anatomical=False)
    assert len(SampleMRISelector(3, 1, 2, params).train_sources) == 2
    errors = SampleMRIParams(val_slices=24).check(BuildContext(2, 3, 2))
    assert {"spatial_dims", "channels", "val_slices"} <= {error.key for error in errors}
    with pytest.raises(DataError, match=r"example4d\.nii\.gz.*smaller than the validation patch"):
        SampleMRISelector(3, 1, 2, SampleMRIParams(val_patch_depth=10, val_slices=8))
