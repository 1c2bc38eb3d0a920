"""Mask files paired by stem, read like their images, and refused with clear errors when they do not fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gan_engine.data.holes.files import (
    check_georeference,
    check_holes,
    pair_hole_files,
    read_hole_file,
)
from gan_engine.errors import DataError
from gan_engine.io.geotiff import write_geotiff

TRANSFORM = (10.0, 0.0, 500000.0, 0.0, -10.0, 4600000.0)


def touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def test_pairs_by_stem_with_suffix_and_lists_every_missing_mask(tmp_path: Path) -> None:
    images = [touch(tmp_path / name) for name in ("a.png", "b.tif", "c.nii.gz")]
    masks = tmp_path / "masks"
    masks.mkdir()
    touch(masks / "a_mask.png")
    touch(masks / "c_mask.nii.gz")
    touch(masks / "b.png")  # no suffix: not b's mask
    with pytest.raises(
        DataError, match=r"1 image\(s\) have no mask file: b\.tif \(expected b_mask"
    ):
        pair_hole_files(images, masks, "_mask")
    touch(masks / "b_mask.tiff")
    paired = pair_hole_files(images, masks, "_mask")
    assert {image.name: mask.name for image, mask in paired.items()} == {
        "a.png": "a_mask.png",
        "b.tif": "b_mask.tiff",
        "c.nii.gz": "c_mask.nii.gz",
    }
    with pytest.raises(DataError, match="does not exist"):
        pair_hole_files(images, tmp_path / "nowhere")


def test_png_and_npy_masks_read_as_holes(tmp_path: Path) -> None:
    pixels = np.zeros((6, 8), dtype=np.uint8)
    pixels[1:3, 2:5] = 255
    Image.fromarray(pixels).save(tmp_path / "m.png")
    holes = read_hole_file(tmp_path / "m.png")
    assert holes.shape == (1, 6, 8)
    assert torch.equal(holes[0], torch.from_numpy(pixels > 0).float())
    volume = np.zeros((3, 4, 5), dtype=np.int16)
    volume[1, 2, 3] = 1
    np.save(tmp_path / "v.npy", volume)
    assert read_hole_file(tmp_path / "v.npy").sum() == 1.0


def test_geotiff_mask_must_share_the_georeference(tmp_path: Path) -> None:
    pytest.importorskip("rasterio")
    image = write_geotiff(
        tmp_path / "scene.tif", np.ones((2, 8, 8), np.uint16), crs="EPSG:32633", transform=TRANSFORM
    )
    holes = np.zeros((1, 8, 8), np.uint8)
    holes[0, :2] = 1
    good = write_geotiff(tmp_path / "good.tif", holes, crs="EPSG:32633", transform=TRANSFORM)
    check_georeference(good, image)
    assert read_hole_file(good).sum() == 16.0
    moved = (10.0, 0.0, 500010.0, 0.0, -10.0, 4600000.0)
    shifted = write_geotiff(tmp_path / "shifted.tif", holes, crs="EPSG:32633", transform=moved)
    with pytest.raises(DataError, match="transform"):
        check_georeference(shifted, image)
    other_crs = write_geotiff(tmp_path / "crs.tif", holes, crs="EPSG:32632", transform=TRANSFORM)
    with pytest.raises(DataError, match="CRS"):
        check_georeference(other_crs, image)


def test_nifti_mask_must_share_the_affine(tmp_path: Path) -> None:
    nibabel = pytest.importorskip("nibabel")
    affine = np.diag([2.0, 2.0, 3.0, 1.0])
    nibabel.save(
        nibabel.Nifti1Image(np.zeros((4, 5, 6), np.float32), affine), tmp_path / "t1.nii.gz"
    )
    mask = np.zeros((4, 5, 6), np.uint8)
    mask[1, 2, 3] = 1
    nibabel.save(nibabel.Nifti1Image(mask, affine), tmp_path / "t1_mask.nii.gz")
    check_georeference(tmp_path / "t1_mask.nii.gz", tmp_path / "t1.nii.gz")
    holes = read_hole_file(tmp_path / "t1_mask.nii.gz")
    assert holes.shape == (1, 6, 5, 4)  # [C, D, H, W] like the volume readers
    assert holes[0, 3, 2, 1] == 1.0
    nibabel.save(nibabel.Nifti1Image(mask, np.eye(4)), tmp_path / "moved.nii.gz")
    with pytest.raises(DataError, match="affine"):
        check_georeference(tmp_path / "moved.nii.gz", tmp_path / "t1.nii.gz")


def test_shape_mismatch_all_ones_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"spatial shape \(4, 4\) but its image .* has \(4, 5\)"):
        check_holes(torch.zeros(1, 4, 4), (3, 4, 5), Path("m.png"), Path("i.png"))
    with pytest.raises(DataError, match="every pixel"):
        check_holes(torch.ones(1, 4, 4), (3, 4, 4), Path("m.png"), Path("i.png"))
    with pytest.raises(DataError, match="does not exist"):
        read_hole_file(tmp_path / "absent.png")
