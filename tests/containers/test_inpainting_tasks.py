"""The inpainting and gap-filling specs train through the real Trainer, resume exactly, and predict
a GeoTIFF and a NIfTI with holes from the command line."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch

from containers.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"
TRANSFORM = (10.0, 0.0, 500000.0, 0.0, -10.0, 4600000.0)

COMMON = [
    "Data.params.samples_per_epoch=4",
    "Data.batch_size=2",
    "Data.val_batch_size=2",
    "Training.pretrain_steps=1",
    "Trainer.max_epochs=1",
    "Trainer.limit_val_batches=1",
    "Trainer.enable_progress_bar=false",
    "Trainer.enable_model_summary=false",
]
SMALL: dict[str, list[str]] = {
    "inpainting_photos": [
        "Data.params.patch_size=32",
        "Data.params.val_patch_size=64",
        "Generator.params={n_channels: 4, depth: 2, ffc_blocks: 1}",
        "Discriminator.params={base_channels: 8, n_layers: 1}",
    ],
    "gapfill_sentinel2": [
        "Data.params.patch_size=32",
        "Data.params.val_patch_size=64",
        "Generator.params={n_channels: 8, n_blocks: 1}",
        "Discriminator.params={base_channels: 8, n_layers: 1}",
    ],
    "inpainting_mri3d": [
        "Data.params.patch_size=16",
        "Data.params.patch_depth=8",
        "Data.params.val_patch_size=16",
        "Data.params.val_patch_depth=8",
        "Generator.params={n_channels: 4, depth: 1}",
        "Discriminator.params={base_channels: 4, n_layers: 1}",
    ],
}


def train(name: str, root: Path, *extra: str, resume: bool = False) -> Path:
    """Train spec ``name`` small under ``root``; returns its run directory."""
    args = ["train", str(SPECS / f"{name}.yaml")]
    for override in [*COMMON, *SMALL[name], f"Logging.run_root={root}", *extra]:
        args += ["--set", override]
    if resume:
        args += ["--resume", "last"]
    assert main(args) == 0
    (run,) = (root / name).iterdir()
    return run


def metrics(run: Path) -> dict[str, float]:
    with (run / "metrics.csv").open() as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("val/psnr_hole")]
    return {key: float(value) for key, value in rows[-1].items() if value}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    return {name: train(name, root) for name in SMALL}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_spec_trains_and_reports_holes_next_to_the_baseline(
    name: str, runs: dict[str, Path]
) -> None:
    values = metrics(runs[name])
    for key in ("val/psnr_hole", "val/psnr_hole_baseline", "val/psnr", "val/psnr_baseline"):
        assert np.isfinite(values[key]), key
    assert any(
        key.startswith("val/psnr_hole_") and key.endswith(("thin", "medium", "thick"))
        for key in values
    )
    assert (runs[name] / "checkpoints" / "last.ckpt").is_file()


def test_resume_continues_bit_exactly(tmp_path: Path) -> None:
    whole = train("inpainting_photos", tmp_path / "whole", "Trainer.max_epochs=2")
    train("inpainting_photos", tmp_path / "split", "Trainer.max_epochs=1")
    split = train("inpainting_photos", tmp_path / "split", "Trainer.max_epochs=2", resume=True)
    weights = [
        torch.load(run / "checkpoints" / "last.ckpt", weights_only=False)["state_dict"]
        for run in (whole, split)
    ]
    generator = [{k: v for k, v in w.items() if k.startswith("generator.")} for w in weights]
    assert generator[0].keys() == generator[1].keys()
    assert all(torch.equal(generator[0][k], generator[1][k]) for k in generator[0])


def test_predict_fills_the_nodata_of_a_geotiff(runs: dict[str, Path], tmp_path: Path) -> None:
    rasterio = pytest.importorskip("rasterio")
    from gan_engine.io.geotiff import write_geotiff

    pixels = (np.random.default_rng(0).random((4, 24, 24)) * 8000 + 500).astype(np.uint16)
    pixels[:, 8:14, 5:12] = 0  # a gap: nodata
    scene = write_geotiff(
        tmp_path / "scene.tif", pixels, crs="EPSG:32633", transform=TRANSFORM, nodata=0
    )
    checkpoint = runs["gapfill_sentinel2"] / "checkpoints" / "last.ckpt"
    assert (
        main(
            [
                "predict",
                str(checkpoint),
                str(scene),
                "--out",
                str(tmp_path / "out"),
                "--no-progress",
            ]
        )
        == 0
    )
    with rasterio.open(tmp_path / "out" / "scene.tif") as out:
        assert out.shape == (48, 48)  # x2
        assert out.crs.to_epsg() == 32633
        assert tuple(out.transform)[:6] == (5.0, 0.0, 500000.0, 0.0, -5.0, 4600000.0)
        filled = out.read()
    assert (filled[:, 16:28, 10:24] != 0).all()  # the gap is filled, not given nodata back


def test_predict_fills_a_nifti_hole_from_a_mask_file(runs: dict[str, Path], tmp_path: Path) -> None:
    nibabel = pytest.importorskip("nibabel")
    affine = np.diag([1.5, 1.5, 2.0, 1.0])
    volume = np.random.default_rng(1).random((16, 16, 12)).astype(np.float32)
    nibabel.save(nibabel.Nifti1Image(volume, affine), tmp_path / "scan.nii.gz")
    mask = np.zeros(volume.shape, np.uint8)
    mask[4:9, 5:10, 3:7] = 1
    nibabel.save(nibabel.Nifti1Image(mask, affine), tmp_path / "scan_mask.nii.gz")
    checkpoint = runs["inpainting_mri3d"] / "checkpoints" / "last.ckpt"
    args = [
        "predict",
        str(checkpoint),
        str(tmp_path / "scan.nii.gz"),
        "--out",
        str(tmp_path / "out"),
    ]
    assert main([*args, "--mask", str(tmp_path / "scan_mask.nii.gz"), "--no-progress"]) == 0
    out = nibabel.load(tmp_path / "out" / "scan.nii.gz")
    np.testing.assert_allclose(out.affine, affine)
    data = np.asarray(out.dataobj)
    np.testing.assert_allclose(data[mask == 0], volume[mask == 0], atol=1e-5)  # known voxels kept
    assert not np.allclose(data[mask == 1], volume[mask == 1])


def test_bad_masks_are_clear_errors(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nibabel = pytest.importorskip("nibabel")
    volume = np.zeros((16, 16, 12), np.float32)
    nibabel.save(nibabel.Nifti1Image(volume, np.eye(4)), tmp_path / "scan.nii.gz")
    nibabel.save(
        nibabel.Nifti1Image(np.ones((16, 16, 12), np.uint8), np.eye(4)), tmp_path / "full.nii.gz"
    )
    nibabel.save(
        nibabel.Nifti1Image(np.zeros((8, 16, 12), np.uint8), np.eye(4)), tmp_path / "small.nii.gz"
    )
    checkpoint = str(runs["inpainting_mri3d"] / "checkpoints" / "last.ckpt")
    for mask, message in (
        ("full", "every pixel"),
        ("small", "spatial shape"),
        ("absent", "does not exist"),
    ):
        args = ["predict", checkpoint, str(tmp_path / "scan.nii.gz"), "--out", str(tmp_path / mask)]
        assert main([*args, "--mask", str(tmp_path / f"{mask}.nii.gz"), "--no-progress"]) != 0
        assert message in capsys.readouterr().err
    folder = tmp_path / "masks"
    folder.mkdir()
    args = ["predict", checkpoint, str(tmp_path / "scan.nii.gz"), "--out", str(tmp_path / "o")]
    assert main([*args, "--mask", str(folder), "--no-progress"]) != 0
    assert "have no mask file" in capsys.readouterr().err


def test_mask_mistakes_are_reported_at_load_with_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (SPECS / "inpainting_photos.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("probability: 0.5", "probability: 0.4"))
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err
    assert "Task.params.masks.params.members: the probabilities must sum to 1" in err
    bad.write_text(text.replace("name: strokes", "name: stroke"))
    assert main(["check", str(bad)]) == 2
    assert (
        "Task.params.masks.params.members.0.name: unknown mask_generator 'stroke'"
        in capsys.readouterr().err
    )
    bad.write_text(text.replace("scale: 1 ", "scale: 2 "))
    assert main(["check", str(bad)]) == 2
    assert (
        "Task.name: task 'inpainting' supports scales 1 only; Data.scale is 2"
        in capsys.readouterr().err
    )
