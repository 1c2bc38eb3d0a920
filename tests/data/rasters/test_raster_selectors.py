"""raster_folder and sentinel2: HR-only and paired folders, nodata masks, up-front errors, metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from gan_engine.data.rasters.params import RasterFolderParams, Sentinel2Params
from gan_engine.data.rasters.patches import RasterPatchDataset
from gan_engine.data.rasters.selectors import RasterFolderSelector, Sentinel2Selector
from gan_engine.data.rasters.tiling import RasterTileDataset
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.io.raster_header import parse_transform
from gan_engine.registry import DATASETS
from gan_engine.types import BuildContext
from tests.data.conftest import GEO_TRANSFORM, WriteGeoTIFF, random_reflectance

CONTEXT = BuildContext(spatial_dims=2, channels=4, scale=2)
SMALL: dict[str, Any] = {"patch_size": 16, "val_patch_size": 32, "samples_per_epoch": 4}


def sentinel2(channels: int = 4, scale: int = 2, **settings: Any) -> Sentinel2Selector:
    return Sentinel2Selector(2, channels, scale, Sentinel2Params(**{**SMALL, **settings}))


def test_registered_for_2d() -> None:
    for name in ("sentinel2", "raster_folder", "sample_multispectral"):
        assert DATASETS.get(name).capabilities.spatial_dims == frozenset({2})
    assert DATASETS.get("sentinel2").params_cls is Sentinel2Params


def test_hr_only_folder_samples_and_data_range(geotiff_folder: Path) -> None:
    selector = sentinel2(root=str(geotiff_folder))
    assert selector.data_range == 10000.0
    assert [s.hr.path.name for s in selector.train_scenes] == ["a.tif", "b.tif", "c.tif"]
    assert [s.hr.path.name for s in selector.val_scenes] == ["d.tif"]
    train = selector.train_dataset()
    assert isinstance(train, RasterPatchDataset)
    sample = train[0]
    assert sample["lr"].shape == (4, 8, 8)
    assert sample["hr"].shape == (4, 16, 16)
    assert sample["mask"].shape == (1, 16, 16)
    assert sample["hr"].dtype == torch.float32
    assert torch.equal(sample["lr"], sample["lr"].round())  # uint16 LR stays on integer levels


def test_nodata_becomes_mask_zeros_and_finite_neutral_values(geotiff_folder: Path) -> None:
    val = sentinel2(root=str(geotiff_folder)).val_dataset()
    assert isinstance(val, RasterTileDataset)
    assert (
        len(val) == 2 * 3
    )  # 64x72 in 32-px tiles: 2 rows, 3 columns (the last snapped to the edge)
    first = val[0]
    mask = first["mask"][0]
    assert bool((mask[:8, :8] == 0).all())
    assert float(mask.sum()) == 32 * 32 - 64
    hr = first["hr"]
    assert bool(torch.isfinite(hr).all())
    valid = mask.bool()
    # Nodata pixels hold the band mean of the window's valid pixels, not 0.
    means = hr[:, valid].double().mean(dim=1).float()
    torch.testing.assert_close(hr[:, 0, 0], means, rtol=0, atol=0.5)
    assert bool(torch.isfinite(first["lr"]).all())


def test_nan_pixels_of_float_rasters_are_masked(
    tmp_path: Path, write_geotiff: WriteGeoTIFF
) -> None:
    for name in ("a", "b"):
        array = np.random.default_rng(0).random((2, 32, 32)).astype(np.float32)
        array[1, 5, 6] = np.nan
        write_geotiff(tmp_path / f"{name}.tif", array)
    params = RasterFolderParams(
        root=str(tmp_path),
        data_range=1.0,
        val_patch_size=32,
        **{k: v for k, v in SMALL.items() if k != "val_patch_size"},
    )
    selector = RasterFolderSelector(2, 2, 2, params)
    sample = selector.val_dataset()[0]
    assert float(sample["mask"][0, 5, 6]) == 0.0
    assert float(sample["mask"].sum()) == 32 * 32 - 1
    assert bool(torch.isfinite(sample["hr"]).all())
    assert bool(torch.isfinite(sample["lr"]).all())


def test_band_count_mismatch_names_file_and_counts(
    geotiff_folder: Path, write_geotiff: WriteGeoTIFF
) -> None:
    with pytest.raises(DataError, match=r"a\.tif has 4 band\(s\), but Data\.channels is 3"):
        sentinel2(channels=3, root=str(geotiff_folder))
    write_geotiff(geotiff_folder / "0_three.tif", random_reflectance(3, 64, 64, 9))
    params = Sentinel2Params(root=str(geotiff_folder), **SMALL)
    errors = params.check(CONTEXT)
    assert [e.key for e in errors] == ["root"]
    assert "0_three.tif has 3 band(s), but Data.channels is 4" in errors[0].message


def test_unreadable_file_fails_up_front_or_is_skipped(geotiff_folder: Path) -> None:
    (geotiff_folder / "broken.tif").write_bytes(b"II*\x00junk")
    with pytest.raises(DataError, match=r"broken\.tif"):
        sentinel2(root=str(geotiff_folder))
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable"):
        selector = sentinel2(root=str(geotiff_folder), skip_unreadable=True)
    names = [s.hr.path.name for s in selector.train_scenes + selector.val_scenes]
    assert names == ["a.tif", "b.tif", "c.tif", "d.tif"]


def _paired_folders(
    root: Path, write_geotiff: WriteGeoTIFF, hr_size: int = 64, lr_size: int = 32
) -> tuple[Path, Path]:
    for seed, name in enumerate(("x", "y")):
        hr = random_reflectance(4, hr_size, hr_size, seed)
        lr = random_reflectance(4, lr_size, lr_size, seed + 10)
        lr[:, 0, 0] = 0  # one LR nodata pixel covers a 2x2 HR block
        write_geotiff(root / "hr" / f"{name}.tif", hr, nodata=0)
        write_geotiff(root / "lr" / f"{name}.tif", lr, nodata=0)
    return root / "lr", root / "hr"


def test_paired_folders_read_lr_files_aligned(tmp_path: Path, write_geotiff: WriteGeoTIFF) -> None:
    lr_root, hr_root = _paired_folders(tmp_path, write_geotiff)
    selector = sentinel2(lr_root=str(lr_root), hr_root=str(hr_root), metadata=True)
    sample = selector.val_dataset()[0]
    scene = selector.val_scenes[0]
    assert scene.lr is not None
    assert scene.lr.path.name == scene.hr.path.name == "y.tif"
    from gan_engine.data.rasters.files import read_window
    from gan_engine.io.raster_header import PixelWindow

    lr_file = read_window(scene.lr, PixelWindow(0, 0, 16, 16)).astype(np.float32)
    assert torch.equal(sample["lr"][:, 1:, 1:], torch.from_numpy(lr_file)[:, 1:, 1:])
    assert sample["mask"][0, :2, :2].sum() == 0  # LR nodata masks its HR block
    assert float(sample["mask"].sum()) == 32 * 32 - 4
    train = selector.train_dataset()[1]
    meta = train["metadata"]
    assert meta["top"] % 2 == 0  # windows on whole LR pixels
    assert meta["left"] % 2 == 0


def test_paired_size_mismatch_names_the_pair(tmp_path: Path, write_geotiff: WriteGeoTIFF) -> None:
    lr_root, hr_root = _paired_folders(tmp_path, write_geotiff, hr_size=64, lr_size=30)
    with pytest.raises(DataError) as caught:
        sentinel2(lr_root=str(lr_root), hr_root=str(hr_root))
    message = str(caught.value)
    assert "LR/HR pair" in message
    assert str(lr_root / "x.tif") in message
    assert str(hr_root / "x.tif") in message
    assert "30x30" in message
    assert "64x64" in message


def test_unmatched_names_are_listed(tmp_path: Path, write_geotiff: WriteGeoTIFF) -> None:
    lr_root, hr_root = _paired_folders(tmp_path, write_geotiff)
    (lr_root / "y.tif").rename(lr_root / "z.tif")
    with pytest.raises(DataError, match="without an HR partner") as caught:
        sentinel2(lr_root=str(lr_root), hr_root=str(hr_root))
    assert "z.tif" in str(caught.value)
    assert "without an LR partner" in str(caught.value)


def test_metadata_batches_with_default_collate(geotiff_folder: Path) -> None:
    selector = sentinel2(root=str(geotiff_folder), metadata=True)
    batch = next(iter(DataLoader(selector.val_dataset(), batch_size=3)))
    meta = batch["metadata"]
    assert meta["path"] == [str(geotiff_folder / "d.tif")] * 3
    assert meta["crs"] == ["EPSG:32633"] * 3
    assert meta["left"].tolist() == [0, 32, 40]
    assert meta["top"].dtype == torch.int64
    transform = parse_transform(meta["transform"][1])
    assert transform == (10.0, 0.0, GEO_TRANSFORM[2] + 320.0, 0.0, -10.0, GEO_TRANSFORM[5])
    assert batch["mask"].shape == (3, 1, 32, 32)


def test_grid_sampling_uses_the_tiling_dataset(geotiff_folder: Path) -> None:
    selector = sentinel2(root=str(geotiff_folder), sampling="grid", stride=32, augment=False)
    train = selector.train_dataset()
    assert isinstance(train, RasterTileDataset)
    assert train.stride == 32
    assert len(train) == sum(len(grid) for grid in train.grids)


def test_numpy_rasters_infer_the_data_range(tmp_path: Path) -> None:
    for name in ("a", "b"):
        np.save(tmp_path / f"{name}.npy", random_reflectance(3, 40, 40, 0))
    selector = RasterFolderSelector(2, 3, 2, RasterFolderParams(root=str(tmp_path), **SMALL))
    assert selector.data_range == 65535.0
    assert selector.train_dataset()[0]["hr"].shape == (3, 16, 16)
    np.save(tmp_path / "a.npy", np.zeros((3, 40, 40), np.float32))
    np.save(tmp_path / "b.npy", np.zeros((3, 40, 40), np.float32))
    with pytest.raises(DataError, match="data_range"):
        RasterFolderSelector(2, 3, 2, RasterFolderParams(root=str(tmp_path), **SMALL))


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({}, "root"),
        ({"root": "a", "lr_root": "b", "hr_root": "c"}, "root"),
        ({"lr_root": "b"}, "hr_root"),
        ({"root": "a", "val_lr_root": "x", "val_hr_root": "y"}, "val_lr_root"),
        ({"lr_root": "a", "hr_root": "b", "val_root": "v"}, "val_root"),
        ({"root": "a", "patch_size": 15}, "patch_size"),
        ({"root": "/nowhere/at/all"}, "root"),
    ],
)
def test_check_reports_layout_and_geometry(settings: dict[str, Any], key: str) -> None:
    params = Sentinel2Params(**{**SMALL, **settings})
    assert key in [error.key for error in params.check(CONTEXT)]


def test_check_rejects_3d_and_bad_values() -> None:
    params = Sentinel2Params(root="x", **SMALL)
    keys = [e.key for e in params.check(BuildContext(spatial_dims=3, channels=4, scale=2))]
    assert "spatial_dims" in keys
    for build, key in [
        (lambda: Sentinel2Params(data_range=0.0), "data_range"),
        (lambda: Sentinel2Params(fill="median"), "fill"),
        (lambda: Sentinel2Params(extensions=["png"]), "extensions"),
        (lambda: Sentinel2Params(min_valid_fraction=1.5), "min_valid_fraction"),
        (lambda: Sentinel2Params(noise_sigma=-1.0), "noise_sigma"),
    ]:
        with pytest.raises(InvalidParamError) as caught:
            build()
        assert caught.value.key == key
