"""Two CPU processes (gloo) under DDP train the same weights, in one run directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

from tests.containers.conftest import FAST, QUICKSTART, REPO
from tests.containers.validation_hooks import HOOK_DIR_ENV


def test_two_ddp_ranks_agree_on_the_weights(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    overrides = [
        *FAST,
        f"Logging.run_root={runs}",
        "Data.params.samples_per_epoch=8",  # 4 batches: 2 per rank
        "Trainer.max_epochs=2",
        "Trainer.accelerator=cpu",
        "Trainer.devices=2",
        "Trainer.strategy=ddp_find_unused_parameters_true",  # pretraining leaves D without grads
        "Trainer.num_sanity_val_steps=0",
        "Training.ema={enabled: true, decay: 0.9}",
        "Callbacks.extra_validation=[tests.containers.validation_hooks:write_weight_hash]",
    ]
    command = [sys.executable, "-m", "containers.cli.main", "train", str(QUICKSTART)]
    for override in overrides:
        command += ["--set", override]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        HOOK_DIR_ENV: str(tmp_path / "hashes"),
        "OMP_NUM_THREADS": "1",
    }
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("Validation PSNR after 4 generator steps") == 1  # rank 0 reports

    rank0 = (tmp_path / "hashes" / "rank0.txt").read_text().splitlines()
    rank1 = (tmp_path / "hashes" / "rank1.txt").read_text().splitlines()
    assert [line.split()[0] for line in rank0] == ["2", "4"]  # 2 generator steps per epoch
    assert rank0 == rank1  # the (EMA) generator is the same on both ranks at every validation

    run_dirs = list((runs / "quickstart").iterdir())
    assert len(run_dirs) == 1  # rank 1 wrote into rank 0's run directory
    checkpoint = torch.load(run_dirs[0] / "checkpoints" / "last.ckpt", weights_only=True)
    assert checkpoint["gan_engine"]["generator_steps"] == 4
    assert "ema_generator" in checkpoint["gan_engine"]
