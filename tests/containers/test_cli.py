from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch

from containers.cli.main import main
from containers.hardware import resolve_spec
from containers.spec.loader import load_spec
from containers.spec.resolved import spec_to_dict
from gan_engine.training.module import CHECKPOINT_KEY


def test_check_accepts_the_quickstart(quickstart: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(quickstart)]) == 0
    assert "valid" in capsys.readouterr().out


def test_check_reports_every_problem_with_its_position(
    tmp_path: Path, quickstart: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = quickstart.read_text()
    text = text.replace("n_blocks: 4", "n_blocks: 4x").replace("name: srresnet", "name: srresnt")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{bad}:" in err
    assert "Generator.name" in err
    assert "did you mean 'srresnet'" in err


def test_set_overrides_are_validated(quickstart: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(quickstart), "--set", "Data.scale=four"]) == 2
    err = capsys.readouterr().err
    assert "--set Data.scale=four" in err
    assert "expected int, got 'four'" in err


def test_components_lists_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["components"]) == 0
    out = capsys.readouterr().out
    for kind in ("generators:", "discriminators:", "losses:", "normalisers:", "datasets:"):
        assert kind in out
    assert "srresnet  [2d, 3d; scales 2, 3, 4, 8]" in out
    assert "n_blocks: int = 16" in out


def test_train_runs_end_to_end_and_fills_the_run_directory(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    args = ["train", str(quickstart), "--run-dir", str(run_dir)]
    for override in fast_overrides:
        args += ["--set", override]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"Run directory: {run_dir}" in out
    assert "Validation PSNR after 2 generator steps: model" in out
    assert "bicubic" in out
    assert "Hardware: CPU " in out  # the auto precision and layout, with their reason

    resolved = load_spec(run_dir / "spec.yaml")
    assert resolved == resolve_spec(load_spec(quickstart, fast_overrides)).spec
    assert resolved.Training.precision != "auto"
    assert isinstance(resolved.Training.channels_last, bool)
    assert "# Hardware: CPU " in (run_dir / "spec.yaml").read_text()
    with (run_dir / "metrics.csv").open() as stream:
        columns = next(csv.reader(stream))
    assert {"val/psnr", "val/psnr_bicubic"} <= set(columns)
    assert list((run_dir / "images").glob("val_step*.png"))
    last = run_dir / "checkpoints" / "last.ckpt"
    checkpoint = torch.load(last, weights_only=False)
    assert checkpoint[CHECKPOINT_KEY]["spec"] == spec_to_dict(resolved)
    assert checkpoint[CHECKPOINT_KEY]["generator_steps"] == 2
    assert not list(run_dir.rglob("*.tmp"))


def test_missing_data_folder_fails_cleanly_and_writes_nothing(
    quickstart: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    runs = tmp_path / "runs"
    code = main(
        [
            "train",
            str(quickstart),
            "--set",
            "Data.dataset=rgb_folder",
            "--set",
            f"Data.params={{root: '{missing}'}}",
            "--set",
            f"Logging.run_root={runs}",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "Data.params.root" in err
    assert str(missing) in err
    assert "Traceback" not in err
    assert not runs.exists()


def test_unreadable_image_is_named_and_nothing_is_written(
    quickstart: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(3):
        Image.new("RGB", (128, 128), color=(index * 40, 90, 200)).save(folder / f"{index}.png")
    (folder / "3_broken.png").write_bytes(b"not a png at all")
    runs = tmp_path / "runs"
    code = main(
        [
            "train",
            str(quickstart),
            "--set",
            "Data.dataset=rgb_folder",
            "--set",
            f"Data.params={{root: '{folder}', patch_size: 32, val_patch_size: 64, val_count: 1}}",
            "--set",
            f"Logging.run_root={runs}",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "3_broken.png" in err
    assert not runs.exists()
