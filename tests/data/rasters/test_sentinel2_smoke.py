"""The multispectral spec validates and trains two tiny steps end to end on the built-in scenes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import gan_engine.data.rasters.selectors  # noqa: F401  (registers the raster datasets)
from containers.cli.main import main

SPEC = Path(__file__).resolve().parents[3] / "specs" / "sentinel2_rcab_x2.yaml"

FAST = [
    "Data.params.patch_size=32",
    "Data.params.val_patch_size=64",
    "Data.params.samples_per_epoch=4",
    "Data.batch_size=2",
    "Data.val_batch_size=2",
    "Generator.params.n_channels=8",
    "Generator.params.n_blocks=1",
    "Generator.params.reduction=4",
    "Discriminator.params={base_channels: 8, max_channels: 16, n_layers: 1, norm: spectral}",
    "Training.pretrain_steps=1",
    "Trainer.max_epochs=1",
    "Trainer.limit_val_batches=1",
    "Trainer.enable_progress_bar=false",
    "Trainer.enable_model_summary=false",
]


def test_spec_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SPEC)]) == 0, capsys.readouterr().err
    assert "valid (2d, 4 channels, x2" in capsys.readouterr().out


def test_two_steps_train_on_the_sample_scenes(
    sample_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    overrides = [
        *FAST,
        f"Data.params.cache_dir={sample_cache}",
        f"Logging.run_root={tmp_path / 'runs'}",
    ]
    args = ["train", str(SPEC), "--run-dir", str(run_dir)]
    for override in overrides:
        args += ["--set", override]
    assert main(args) == 0, capsys.readouterr().err
    assert "Validation PSNR after 2 generator steps: model" in capsys.readouterr().out
    with (run_dir / "metrics.csv").open() as stream:
        columns = next(csv.reader(stream))
    assert {"val/psnr", "val/psnr_bicubic", "val/sam"} <= set(columns)
    assert (run_dir / "checkpoints" / "last.ckpt").is_file()
