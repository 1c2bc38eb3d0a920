"""Each ``Logging.logger`` writes its files into the run directory."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from containers.cli.main import main
from containers.spec.loader import load_spec
from containers.trainer_builders import build_logger
from gan_engine.errors import GanEngineError


def _train(quickstart: Path, run_dir: Path, overrides: list[str]) -> int:
    args = ["train", str(quickstart), "--run-dir", str(run_dir)]
    for override in overrides:
        args += ["--set", override]
    return main(args)


def test_csv_logger_writes_metrics_csv(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    assert _train(quickstart, run_dir, [*fast_overrides, "Trainer.log_every_n_steps=1"]) == 0
    with (run_dir / "metrics.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    assert any(row["train/g_l1"] for row in rows)
    assert any(row["val/psnr"] for row in rows)


def test_tensorboard_logger_writes_scalars_and_histograms(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path
) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_dir = tmp_path / "run"
    overrides = [
        *fast_overrides,
        "Logging.logger=tensorboard",
        "Trainer.log_every_n_steps=1",
        "Callbacks.histograms={every_n_steps: 1}",
    ]
    assert _train(quickstart, run_dir, overrides) == 0
    events = list((run_dir / "tensorboard").glob("events.out.tfevents.*"))
    assert events
    accumulator = EventAccumulator(str(run_dir / "tensorboard"), size_guidance={"histograms": 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    assert {"val/psnr", "val/psnr_bicubic", "train/g_total"} <= set(tags["scalars"])
    histograms = set(tags["histograms"])
    assert "weights/generator/tail.weight" in histograms
    assert "gradients/generator/tail.weight" in histograms
    assert any(tag.startswith("weights/discriminator/") for tag in histograms)


def test_wandb_logger_writes_an_offline_run(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "wandb-config"))
    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "wandb-cache"))
    run_dir = tmp_path / "run"
    overrides = [*fast_overrides, "Logging.logger=wandb", "Logging.wandb={project: tests}"]
    assert _train(quickstart, run_dir, overrides) == 0
    runs = list((run_dir / "wandb").glob("offline-run-*"))
    assert len(runs) == 1
    assert list(runs[0].glob("run-*.wandb"))


@pytest.mark.parametrize("kind", ["tensorboard", "wandb"])
def test_a_missing_extra_is_named(
    quickstart: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    spec = load_spec(quickstart, [f"Logging.logger={kind}"])
    real = importlib.util.find_spec
    missing = {"tensorboard", "tensorboardX", "wandb"}
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in missing else real(name, *a)
    )
    with pytest.raises(GanEngineError, match=rf"pip install 'gan-engine\[{kind}\]'"):
        build_logger(spec, tmp_path)
