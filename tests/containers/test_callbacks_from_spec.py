"""Every callback of the ``Callbacks`` section, driven from a spec through the CLI."""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from containers.cli.main import main
from containers.spec.loader import load_spec
from containers.trainer_builders import build_callbacks
from gan_engine.training.callbacks.checkpoints import GeneratorStepCheckpoint
from gan_engine.training.callbacks.histograms import ParameterHistograms
from gan_engine.training.module import CHECKPOINT_KEY
from tests.containers.validation_hooks import HOOK_DIR_ENV


def _args(quickstart: Path, run_dir: Path, overrides: list[str]) -> list[str]:
    args = ["train", str(quickstart), "--run-dir", str(run_dir)]
    for override in overrides:
        args += ["--set", override]
    return args


def test_callbacks_section_drives_every_callback(
    quickstart: Path,
    fast_overrides: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(HOOK_DIR_ENV, str(tmp_path / "hooks"))
    run_dir = tmp_path / "run"
    overrides = [
        *fast_overrides,
        "Trainer.max_epochs=5",
        "Trainer.log_every_n_steps=1",
        "Callbacks.lr_monitor=true",
        "Callbacks.checkpoint.every_n_steps=1",
        "Callbacks.early_stopping={monitor: val/generator_steps, mode: min, patience: 1}",
        "Callbacks.extra_validation=[tests.containers.validation_hooks:record_psnr]",
        "Callbacks.histograms={every_n_steps: 2}",
    ]
    with pytest.warns(UserWarning, match="no logger draws histograms .*AppendingCSVLogger"):
        assert main(_args(quickstart, run_dir, overrides)) == 0
    # Early stopping: val/generator_steps never decreases, so with patience 1 the second
    # validation (after 4 generator steps, 2 epochs of 2 batches) stops the run.
    assert "Validation PSNR after 4 generator steps" in capsys.readouterr().out

    checkpoints = run_dir / "checkpoints"
    periodic = sorted(p.name for p in checkpoints.glob("step*.ckpt"))
    assert periodic == [f"step000000{n}.ckpt" for n in (1, 2, 3, 4)]
    third = torch.load(checkpoints / "step0000003.ckpt", weights_only=True)
    assert third[CHECKPOINT_KEY]["generator_steps"] == 3
    assert (checkpoints / "last.ckpt").is_file()

    with (run_dir / "metrics.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    rates = {
        name: [r[name] for r in rows if r.get(name)]
        for name in ("lr-generator", "lr-discriminator")
    }
    assert rates["lr-generator"]
    assert rates["lr-discriminator"]

    lines = (tmp_path / "hooks" / "psnr.txt").read_text().split()
    assert lines[0::3] == ["2", "4"]  # the hook ran at the end of each validation
    assert lines[1::3] == ["2", "2"]  # with every validation sample's metrics

    grids = sorted(p.name for p in (run_dir / "images").glob("*.png"))
    assert grids == ["val_step0000002.png", "val_step0000004.png"]


def test_periodic_checkpoints_and_histograms_are_off_by_default(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path
) -> None:
    spec = load_spec(quickstart, fast_overrides)
    selector = SimpleNamespace(data_range=255.0)
    kinds = {type(c) for c in build_callbacks(spec, tmp_path, selector, [])}  # type: ignore[arg-type]
    assert GeneratorStepCheckpoint not in kinds
    assert ParameterHistograms not in kinds


def test_max_generator_steps_from_the_spec(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overrides = [*fast_overrides, "Trainer.max_epochs=10", "Training.max_generator_steps=3"]
    assert main(_args(quickstart, tmp_path / "run", overrides)) == 0
    assert "Validation PSNR after 3 generator steps" in capsys.readouterr().out


def test_last_checkpoint_follows_every_epoch_even_without_a_new_best(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path
) -> None:
    # val/generator_steps only grows: in "min" mode the first epoch stays the best one.
    overrides = [
        *fast_overrides,
        "Trainer.max_epochs=2",
        "Callbacks.checkpoint={monitor: val/generator_steps, mode: min}",
    ]
    run_dir = tmp_path / "run"
    assert main(_args(quickstart, run_dir, overrides)) == 0
    best = list((run_dir / "checkpoints").glob("best-*.ckpt"))
    assert len(best) == 1
    assert torch.load(best[0], weights_only=True)[CHECKPOINT_KEY]["generator_steps"] == 2
    last = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    assert last[CHECKPOINT_KEY]["generator_steps"] == 4
