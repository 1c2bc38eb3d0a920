"""A toy conditional task (SR conditioned on a hole mask) through the real CLI and Trainer.

Every run is a subprocess: the spec names the toy task and generator by ``package.module:Class``,
which registers them there and leaves this process's registries (enumerated by other tests) alone.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import torch
from ruamel.yaml import YAML

from gan_engine.training.module import CHECKPOINT_KEY
from tests.containers.conftest import FAST, QUICKSTART, REPO
from tests.containers.validation_hooks import HOOK_DIR_ENV

TOY = [
    *FAST,
    'Task={name: "tests.tasks.toy_task:HoleConditionedSR"}',
    'Generator={name: "tests.tasks.toy_task:HoleConditionedGenerator", params: {n_features: 4}}',
    "Data.params.samples_per_epoch=4",
    "Training.ema={enabled: true, decay: 0.9}",
    "Trainer.accelerator=cpu",
]


def _cli(
    *args: str, overrides: list[str], hooks: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "containers.cli.main", *args, str(QUICKSTART)]
    for override in overrides:
        command += ["--set", override]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "OMP_NUM_THREADS": "1",
    }
    if hooks is not None:
        env[HOOK_DIR_ENV] = str(hooks)
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _last(root: Path) -> dict[str, object]:
    (path,) = root.glob("quickstart/*/checkpoints/last.ckpt")
    content: dict[str, object] = torch.load(path, map_location="cpu", weights_only=True)
    return content


def _generator(checkpoint: dict[str, object]) -> dict[str, torch.Tensor]:
    weights = checkpoint["state_dict"]
    assert isinstance(weights, dict)
    return {k: v for k, v in weights.items() if k.startswith("generator.")}


def test_the_toy_task_trains_and_resumes_bit_exactly(tmp_path: Path) -> None:
    whole, split = tmp_path / "whole", tmp_path / "split"
    done = _cli("train", overrides=[*TOY, "Trainer.max_epochs=2", f"Logging.run_root={whole}"])
    assert done.returncode == 0, done.stderr[-3000:]
    done = _cli("train", overrides=[*TOY, "Trainer.max_epochs=1", f"Logging.run_root={split}"])
    assert done.returncode == 0, done.stderr[-3000:]
    resumed = [*TOY, "Trainer.max_epochs=2", f"Logging.run_root={split}"]
    done = _cli("train", "--resume", "last", overrides=resumed)
    assert done.returncode == 0, done.stderr[-3000:]

    a, b = _last(whole), _last(split)
    state_a, state_b = a[CHECKPOINT_KEY], b[CHECKPOINT_KEY]
    assert isinstance(state_a, dict)
    assert isinstance(state_b, dict)
    assert state_a["generator_steps"] == state_b["generator_steps"] == 4
    assert state_a["task"] == "toy_hole_sr"
    weights_a, weights_b = _generator(a), _generator(b)
    assert weights_a.keys() == weights_b.keys()
    assert any(key.startswith("generator.body.") for key in weights_a)  # the toy generator
    assert all(torch.equal(weights_a[key], weights_b[key]) for key in weights_a)
    assert all(
        torch.equal(state_a["ema_generator"][key], state_b["ema_generator"][key])
        for key in state_a["ema_generator"]
    )

    (run,) = (whole / "quickstart").iterdir()
    spec = YAML(typ="safe").load((run / "spec.yaml").read_text())
    assert spec["Task"] == {"name": "tests.tasks.toy_task:HoleConditionedSR", "params": {}}
    with (run / "metrics.csv").open() as stream:
        rows = [row for row in csv.DictReader(stream) if row.get("val/psnr_nearest")]
    assert rows  # the task's own baseline is logged ...
    assert all(not row.get("val/psnr_bicubic") for row in rows)  # ... and SR's is not


def test_the_toy_task_runs_under_two_ddp_ranks(tmp_path: Path) -> None:
    overrides = [
        *TOY,
        f"Logging.run_root={tmp_path / 'runs'}",
        "Data.params.samples_per_epoch=8",  # 4 batches: 2 per rank
        "Trainer.max_epochs=2",
        "Trainer.devices=2",
        "Trainer.strategy=ddp_find_unused_parameters_true",
        "Trainer.num_sanity_val_steps=0",
        "Callbacks.extra_validation=[tests.containers.validation_hooks:write_weight_hash]",
    ]
    done = _cli("train", overrides=overrides, hooks=tmp_path / "hashes")
    assert done.returncode == 0, done.stderr[-3000:]
    rank0 = (tmp_path / "hashes" / "rank0.txt").read_text().splitlines()
    rank1 = (tmp_path / "hashes" / "rank1.txt").read_text().splitlines()
    assert [line.split()[0] for line in rank0] == ["2", "4"]
    assert rank0 == rank1


def test_a_generator_without_the_tasks_conditioning_is_refused_at_load_time() -> None:
    overrides = [*FAST, "Task={name: text_super_resolution}"]
    done = _cli("check", overrides=overrides)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    expected = (
        r"quickstart\.yaml:\d+:\d+: Generator\.name: task 'text_super_resolution' conditions the "
        r"generator on embedding, tokens, but generator 'srresnet' accepts none "
        r"\(missing: embedding, tokens\)"
    )
    assert re.search(expected, done.stderr), done.stderr


def test_a_mask_task_wraps_a_generator_without_a_mask_input() -> None:
    # every generator takes hole masks once wrapped in MaskInput (gap-filling SR), so no refusal
    overrides = [*FAST, 'Task={name: "tests.tasks.toy_task:HoleConditionedSR"}']
    done = _cli("check", overrides=overrides)
    assert done.returncode == 0, done.stderr
