"""The volume, microscopy and video specs validate and train end to end (two tiny steps each)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from containers.cli.main import main

SPECS = Path(__file__).resolve().parents[2] / "specs"

# Tiny model, two adversarial steps, one validation batch: the spec's own code path, fast.
TINY = [
    "Data.params.samples_per_epoch=4",
    "Data.batch_size=2",
    "Data.val_batch_size=2",
    "Generator.params={n_channels: 8, n_blocks: 1}",
    "Discriminator.params={base_channels: 8, n_layers: 1}",
    "Training.pretrain_steps=1",
    "Trainer.max_epochs=1",
    "Trainer.limit_val_batches=1",
    "Trainer.enable_progress_bar=false",
    "Trainer.enable_model_summary=false",
]
DATA = {
    "srresnet3d_x2": [
        "Data.params.patch_size=16",
        "Data.params.patch_depth=8",
        "Data.params.val_patch_size=16",
        "Data.params.val_patch_depth=8",
    ],
    "microscopy_x2": ["Data.params.patch_size=16", "Data.params.val_patch_size=32"],
    "video_x2": ["Data.params.patch_size=12", "Data.params.val_patch_size=12"],
}


@pytest.mark.parametrize("name", sorted(DATA))
def test_spec_is_valid(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SPECS / f"{name}.yaml")]) == 0, capsys.readouterr().err
    assert "valid" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(DATA))
def test_spec_trains(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = tmp_path / "run"
    args = ["train", str(SPECS / f"{name}.yaml"), "--run-dir", str(run_dir)]
    for override in [*TINY, *DATA[name]]:
        args += ["--set", override]
    assert main(args) == 0, capsys.readouterr().err
    assert "Validation PSNR after 2 generator steps" in capsys.readouterr().out
    assert (run_dir / "checkpoints" / "last.ckpt").is_file()
    with (run_dir / "metrics.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    psnr = [float(row["val/psnr"]) for row in rows if row.get("val/psnr")]
    assert psnr
    assert all(value > 0.0 for value in psnr)
