"""``Validation.metrics`` in a real fit: built by the containers, logged per stream, never checkpointed."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
import torch

from containers.application import ApplicationContainer
from containers.spec.loader import load_spec
from gan_engine.metrics.lpips import LPIPSValidation
from tests.losses.weight_files import ALEXNET_FILE, write_weight_files

METRICS = (
    "Validation.metrics=[{name: lpips}, "
    "{name: kid, label: kid_stats, params: {feature_network: "
    "'tests.metrics.feature_networks:band_statistics', subsets: 2}}]"
)


def test_metrics_are_injected_logged_per_stream_and_kept_out_of_checkpoints(
    quickstart: Path,
    fast_overrides: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_weight_files(tmp_path / "torch", (ALEXNET_FILE,))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    overrides = [*fast_overrides, METRICS, "Trainer.num_sanity_val_steps=0"]
    spec = load_spec(quickstart, overrides)
    app = ApplicationContainer(spec=spec, run_dir=tmp_path / "run")
    module = app.training.module()
    assert set(module.validation_metrics) == {"lpips", "kid_stats"}
    assert isinstance(module.validation_metrics["lpips"], LPIPSValidation)
    trainer = app.training.trainer()
    trainer.fit(module, datamodule=app.data.datamodule())

    with (tmp_path / "run" / "metrics.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    logged = {key: float(row[key]) for row in rows for key in row if row[key] and "val/" in key}
    for name in ("val/lpips", "val/lpips_bicubic", "val/kid_stats", "val/kid_stats_bicubic"):
        assert name in logged, sorted(logged)
        assert math.isfinite(logged[name])
    assert logged["val/lpips"] >= 0.0

    checkpoint = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt", weights_only=True)
    keys = checkpoint["state_dict"].keys()
    assert not [key for key in keys if "lpips" in key or "validation_metrics" in key]
