"""``gan-engine train --resume``: N epochs + resume + M epochs equals N+M epochs, bit for bit."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch

from containers.cli.main import main
from gan_engine.training.module import CHECKPOINT_KEY

# Two epochs of two batches, EMA and a cosine schedule on: everything resume must carry.
RESUMABLE = [
    "Data.params.samples_per_epoch=4",
    "Training.pretrain_steps=1",
    "Training.ema={enabled: true, decay: 0.9}",
    "Training.generator_scheduler={name: cosine, warmup_steps: 1, total_steps: 4}",
]


def _train(quickstart: Path, overrides: list[str], *extra: str) -> int:
    args = ["train", str(quickstart), *extra]
    for override in overrides:
        args += ["--set", override]
    return main(args)


def _generator(checkpoint: dict[str, object]) -> dict[str, torch.Tensor]:
    weights = checkpoint["state_dict"]
    assert isinstance(weights, dict)
    return {k: v for k, v in weights.items() if k.startswith("generator.")}


def _same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_resume_last_continues_exactly_in_the_same_run_directory(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole_root = tmp_path / "whole"
    split_root = tmp_path / "split"
    base = [*fast_overrides, *RESUMABLE]
    assert (
        _train(quickstart, [*base, "Trainer.max_epochs=2", f"Logging.run_root={whole_root}"]) == 0
    )
    assert (
        _train(quickstart, [*base, "Trainer.max_epochs=1", f"Logging.run_root={split_root}"]) == 0
    )
    runs = list((split_root / "quickstart").iterdir())
    assert len(runs) == 1
    capsys.readouterr()
    resumed = [*base, "Trainer.max_epochs=2", f"Logging.run_root={split_root}"]
    assert _train(quickstart, resumed, "--resume", "last") == 0
    out = capsys.readouterr().out
    assert f"Run directory: {runs[0]}" in out  # the run directory is reused, not a new one
    assert f"Resumed from: {runs[0] / 'checkpoints' / 'last.ckpt'}" in out
    assert list((split_root / "quickstart").iterdir()) == runs

    whole = torch.load(
        next(whole_root.glob("quickstart/*/checkpoints/last.ckpt")), weights_only=True
    )
    split = torch.load(runs[0] / "checkpoints" / "last.ckpt", weights_only=True)
    assert split[CHECKPOINT_KEY]["generator_steps"] == whole[CHECKPOINT_KEY]["generator_steps"] == 4
    assert _same(_generator(split), _generator(whole))
    assert _same(split[CHECKPOINT_KEY]["ema_generator"], whole[CHECKPOINT_KEY]["ema_generator"])

    with (runs[0] / "metrics.csv").open() as stream:
        validated = {row["val/generator_steps"] for row in csv.DictReader(stream)}
    assert {"2.0", "4.0"} <= validated  # the first run's rows are kept, the resumed run's appended


def test_resume_problems_are_clear_and_write_nothing(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _train(quickstart, fast_overrides, "--resume", "last") == 2
    err = capsys.readouterr().err
    assert "no run of 'quickstart' has a checkpoints/last.ckpt" in err
    assert not (tmp_path / "runs").exists()

    assert _train(quickstart, fast_overrides) == 0
    changed = [*fast_overrides, "Generator.params={n_channels: 16, n_blocks: 1}"]
    capsys.readouterr()
    assert _train(quickstart, changed, "--resume", "last") == 2
    err = capsys.readouterr().err
    assert "the spec's Generator differ from the checkpoint's" in err
    assert "Traceback" not in err

    foreign = tmp_path / "foreign.ckpt"
    torch.save({"state_dict": {}}, foreign)
    assert _train(quickstart, fast_overrides, "--resume", str(foreign)) == 2
    assert "is not a GAN-Engine checkpoint" in capsys.readouterr().err


def test_resume_from_a_mid_epoch_checkpoint_serves_the_rest_of_that_epoch(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path
) -> None:
    # Four batches an epoch, one generator step each: step0000002.ckpt is half-way through epoch 0.
    base = [
        *fast_overrides,
        *RESUMABLE,
        "Data.params.samples_per_epoch=8",
        "Trainer.max_epochs=2",
        "Callbacks.checkpoint.every_n_steps=2",
    ]
    assert _train(quickstart, base) == 0
    whole_run = next((tmp_path / "runs" / "quickstart").iterdir())
    middle = whole_run / "checkpoints" / "step0000002.ckpt"
    state = torch.load(middle, weights_only=True)
    assert state["loops"]["fit_loop"]["state_dict"]["combined_loader"] == [
        {"epoch": 0, "served": 2}
    ]

    whole = torch.load(whole_run / "checkpoints" / "last.ckpt", weights_only=True)
    # The resumed run continues in the checkpoint's own run directory and rewrites last.ckpt.
    assert _train(quickstart, base, "--resume", str(middle)) == 0
    resumed = torch.load(whole_run / "checkpoints" / "last.ckpt", weights_only=True)
    assert (
        resumed[CHECKPOINT_KEY]["generator_steps"] == whole[CHECKPOINT_KEY]["generator_steps"] == 8
    )
    assert _same(_generator(resumed), _generator(whole))
    assert _same(resumed[CHECKPOINT_KEY]["ema_generator"], whole[CHECKPOINT_KEY]["ema_generator"])


def test_resume_last_with_run_dir_continues_that_directory(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = [*fast_overrides, *RESUMABLE]
    chosen = tmp_path / "b"
    assert _train(quickstart, [*base, "Trainer.max_epochs=1"], "--run-dir", str(chosen)) == 0
    # A newer run of the same experiment under run_root must not be the one resumed.
    assert _train(quickstart, [*base, "Trainer.max_epochs=1"]) == 0
    other = next((tmp_path / "runs" / "quickstart").iterdir())
    capsys.readouterr()

    resumed = [*base, "Trainer.max_epochs=2"]
    assert _train(quickstart, resumed, "--run-dir", str(chosen), "--resume", "last") == 0
    out = capsys.readouterr().out
    assert f"Run directory: {chosen}" in out
    assert f"Resumed from: {chosen / 'checkpoints' / 'last.ckpt'}" in out
    state = torch.load(chosen / "checkpoints" / "last.ckpt", weights_only=True)
    assert state[CHECKPOINT_KEY]["generator_steps"] == 4
    untouched = torch.load(other / "checkpoints" / "last.ckpt", weights_only=True)
    assert untouched[CHECKPOINT_KEY]["generator_steps"] == 2


def test_resume_last_with_run_dir_without_last_ckpt_takes_the_newest(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    assert _train(quickstart, fast_overrides, "--run-dir", str(empty), "--resume", "last") == 2
    assert f"no checkpoint (*.ckpt) in {empty / 'checkpoints'}" in capsys.readouterr().err
    assert not empty.exists()

    chosen = tmp_path / "c"
    base = [*fast_overrides, *RESUMABLE, "Callbacks.checkpoint.save_last=false"]
    assert _train(quickstart, [*base, "Trainer.max_epochs=1"], "--run-dir", str(chosen)) == 0
    saved = sorted((chosen / "checkpoints").glob("*.ckpt"))
    assert saved
    assert not (chosen / "checkpoints" / "last.ckpt").exists()
    newest = max(saved, key=lambda path: path.stat().st_mtime)
    capsys.readouterr()
    resumed = [*base, "Trainer.max_epochs=2"]
    assert _train(quickstart, resumed, "--run-dir", str(chosen), "--resume", "last") == 0
    assert f"Resumed from: {newest}" in capsys.readouterr().out
