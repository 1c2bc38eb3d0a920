"""NIfTI volumes as [C, D, H, W] sources: axes, dtypes, 4D handling, windows, bad files."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np
import pytest

from gan_engine.data.sources import full_box
from gan_engine.errors import DataError
from gan_engine.io.nifti import NiftiSource, nifti_sources
from tests.data.modality_files import ramp, write_nifti


@pytest.mark.parametrize("name", ["scan.nii", "scan.nii.gz"])
def test_3d_volume_axes_and_dtype(tmp_path: Path, name: str) -> None:
    array = ramp((6, 5, 4), np.int16)  # (i, j, k)
    source = NiftiSource(write_nifti(tmp_path / name, array))
    assert source.shape == (1, 4, 5, 6)  # (C, D=k, H=j, W=i)
    assert source.dtype == np.int16
    whole = source.read(full_box(source.shape))
    assert whole.dtype == np.int16
    np.testing.assert_array_equal(whole[0], array.transpose(2, 1, 0))
    window = source.read(((1, 3), (2, 5), (0, 4)))
    np.testing.assert_array_equal(window[0], array[0:4, 2:5, 1:3].transpose(2, 1, 0))
    assert source.label == str(tmp_path / name)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_dtypes_are_kept(tmp_path: Path, dtype: type) -> None:
    source = NiftiSource(write_nifti(tmp_path / "v.nii", ramp((4, 4, 4), dtype)))
    assert source.read(((0, 2), (0, 2), (0, 2))).dtype == dtype


def test_4d_as_volumes_or_channels(tmp_path: Path) -> None:
    array = ramp((5, 4, 3, 3), np.int16)
    path = write_nifti(tmp_path / "series.nii.gz", array)
    volumes = nifti_sources(path, "volumes")
    assert [source.shape for source in volumes] == [(1, 3, 4, 5)] * 3
    assert volumes[2].label.endswith("(volume 2)")
    np.testing.assert_array_equal(
        volumes[2].read(full_box(volumes[2].shape))[0], array[..., 2].transpose(2, 1, 0)
    )
    picked = nifti_sources(path, "volumes", [1])
    assert len(picked) == 1
    (channels,) = nifti_sources(path, "channels", [2, 0])
    assert channels.shape == (2, 3, 4, 5)
    window = channels.read(((0, 3), (1, 2), (0, 5)))
    np.testing.assert_array_equal(window[0], array[:, 1:2, :, 2].transpose(2, 1, 0))
    np.testing.assert_array_equal(window[1], array[:, 1:2, :, 0].transpose(2, 1, 0))


def test_scaled_data_come_out_scaled(tmp_path: Path) -> None:
    import nibabel as nib

    image = nib.Nifti1Image(ramp((4, 4, 4), np.int16), affine=np.eye(4))
    image.header.set_slope_inter(0.5, 10.0)
    nib.save(image, tmp_path / "scaled.nii")
    source = NiftiSource(tmp_path / "scaled.nii")
    assert source.dtype.kind == "f"
    assert source.read(((1, 2), (0, 1), (0, 1)))[0, 0, 0, 0] == pytest.approx(10.5)  # k = 1
    assert source.read(((0, 1), (0, 1), (1, 2)))[0, 0, 0, 0] == pytest.approx(18.0)  # i = 1


def test_pickled_source_reopens(tmp_path: Path) -> None:
    source = NiftiSource(write_nifti(tmp_path / "v.nii", ramp((4, 4, 4))))
    clone = pickle.loads(pickle.dumps(source))
    np.testing.assert_array_equal(
        clone.read(full_box(clone.shape)), source.read(full_box(source.shape))
    )


def test_bad_files_name_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.nii"
    junk.write_bytes(b"not a nifti file at all" * 20)
    with pytest.raises(DataError, match=r"junk\.nii"):
        NiftiSource(junk)
    with pytest.raises(DataError, match=r"missing\.nii"):
        NiftiSource(tmp_path / "missing.nii")
    good = write_nifti(tmp_path / "cut.nii.gz", ramp((16, 16, 16)))
    data = gzip.decompress(good.read_bytes())
    good.write_bytes(gzip.compress(data[: len(data) // 2]))
    with pytest.raises(DataError, match=r"cut\.nii\.gz"):
        NiftiSource(good)


def test_wrong_dimensionality_and_indices(tmp_path: Path) -> None:
    flat = write_nifti(tmp_path / "flat.nii", ramp((4, 4)))
    with pytest.raises(DataError, match=r"flat\.nii has shape \(4, 4\)"):
        NiftiSource(flat)
    series = write_nifti(tmp_path / "s.nii", ramp((4, 4, 4, 2)))
    with pytest.raises(DataError, match=r"2 volume\(s\).*\[5\]"):
        nifti_sources(series, "volumes", [5])
