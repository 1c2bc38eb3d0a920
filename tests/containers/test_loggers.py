"""Each ``Logging.logger`` writes its files into the run directory."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from ruamel.yaml import YAML

from containers.cli.main import main
from containers.spec.loader import load_spec
from containers.trainer_builders import build_logger
from gan_engine.errors import GanEngineError


def _wandb_records(path: Path) -> list[Any]:
    """Every record of an offline W&B run log (``run-*.wandb``).

    The log is a 7-byte ``:W&B`` header then LevelDB-style log blocks of 32 KiB: each chunk has a
    7-byte header (crc32, little-endian length, type 1 full / 2 first / 3 middle / 4 last), and a
    block's tail too short for a header is padding. Each record is a ``wandb_internal_pb2.Record``.
    """
    from wandb.proto import wandb_internal_pb2

    data = path.read_bytes()
    assert data[:4] == b":W&B"
    records, pending, offset = [], b"", 7
    while offset + 7 <= len(data):
        room = 32768 - offset % 32768
        if room < 7:
            offset += room
            continue
        length = int.from_bytes(data[offset + 4 : offset + 6], "little")
        kind = data[offset + 6]
        chunk = data[offset + 7 : offset + 7 + length]
        offset += 7 + length
        if kind == 0:  # zero padding at the end of the file
            break
        pending = chunk if kind in (1, 2) else pending + chunk
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()  # type: ignore[attr-defined]
            record.ParseFromString(pending)
            records.append(record)
    return records


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
    assert "hp_metric" not in tags["scalars"]
    assert tags["images"] == ["val/preview"]
    preview = accumulator.Images("val/preview")[-1]
    png = Image.open(io.BytesIO(preview.encoded_image_string))
    assert png.size == Image.open(sorted((run_dir / "images").glob("*.png"))[-1]).size
    text = accumulator.Tensors("spec/text_summary")[0].tensor_proto.string_val[0].decode()
    assert "Generator:" in text
    assert "name: srresnet" in text
    hparams = YAML(typ="safe").load((run_dir / "tensorboard" / "hparams.yaml").read_text())
    assert hparams["Generator"]["name"] == "srresnet"


def test_wandb_logger_writes_an_offline_run(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "wandb-config"))
    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "wandb-cache"))
    run_dir = tmp_path / "run"
    overrides = [
        *fast_overrides,
        "Logging.logger=wandb",
        "Logging.wandb={project: tests}",
        "Callbacks.histograms={every_n_steps: 1}",
    ]
    assert _train(quickstart, run_dir, overrides) == 0
    import wandb

    wandb.finish()  # flushes the run's log (otherwise done at process exit)
    runs = list((run_dir / "wandb").glob("offline-run-*"))
    assert len(runs) == 1
    logs = list(runs[0].glob("run-*.wandb"))
    assert logs
    images = list((runs[0] / "files" / "media" / "images" / "val").glob("preview_*.png"))
    assert images
    assert Image.open(images[0]).size == Image.open(next((run_dir / "images").glob("*.png"))).size
    records = _wandb_records(logs[0])
    config = [record.config for record in records if record.HasField("config")]
    assert any(
        item.key == "Generator" and "srresnet" in item.value_json
        for c in config
        for item in c.update
    )
    history = [record.history for record in records if record.HasField("history")]
    # W&B flattens media and histograms into nested keys: <key>/_type, <key>/bins, ...
    types = {
        item.key or "/".join(item.nested_key): item.value_json
        for h in history
        for item in h.item
        if (item.key or "/".join(item.nested_key)).endswith("/_type")
    }
    assert types["val/preview/_type"] == '"images/separated"'
    weights = [key for key in types if key.startswith("weights/generator/")]
    assert weights
    assert all(types[key] == '"histogram"' for key in weights)


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
