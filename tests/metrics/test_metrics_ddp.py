"""Two gloo ranks, each validating half the samples, report what one process reports for all of them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from gan_engine.metrics.distribution import FIDMetric, FIDParams, KIDMetric, KIDParams
from gan_engine.metrics.lpips import LPIPSValidation
from gan_engine.protocols import ValidationMetric
from tests.losses.weight_files import ALEXNET_FILE, write_weight_files

USER = "tests.metrics.feature_networks:band_statistics"


def metrics() -> dict[str, ValidationMetric]:
    return {
        "lpips": LPIPSValidation(2, 3),
        "fid": FIDMetric(2, 3, FIDParams(feature_network=USER)),
        "kid": KIDMetric(2, 3, KIDParams(feature_network=USER, subsets=2)),
    }


def batches() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    target = torch.rand(8, 3, 32, 32, generator=generator) * 255
    output = (target + torch.randn(target.shape, generator=generator) * 30).clamp(0, 255)
    baseline = (target * 0.5 + 60).clamp(0, 255)
    return target, output, baseline


def computed(rank: int, world: int) -> dict[str, float]:
    target, output, baseline = batches()
    values = {}
    for name, metric in metrics().items():
        for part in range(rank, 4, world):  # 4 batches of 2, dealt to the ranks
            rows = slice(2 * part, 2 * part + 2)
            metric.update({"": output[rows], "_base": baseline[rows]}, target[rows], 255.0)
        torch.manual_seed(0)  # KID's subsets are random: the same draw on every rank
        for stream, value in metric.compute().items():
            values[f"{name}{stream}"] = float(value)
    return values


def _worker(rank: int, world: int, init_file: str, out: str, home: str) -> None:
    os.environ["TORCH_HOME"] = home
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        torch.save(computed(rank, world), f"{out}/rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_agree_with_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "torch"
    write_weight_files(home, (ALEXNET_FILE,))
    monkeypatch.setenv("TORCH_HOME", str(home))
    single = computed(0, 1)
    args = (2, str(tmp_path / "init"), str(tmp_path), str(home))
    mp.spawn(_worker, args=args, nprocs=2, join=True)
    for rank in (0, 1):
        ranked = torch.load(tmp_path / f"rank{rank}.pt", weights_only=True)
        assert ranked.keys() == single.keys()
        for key, value in single.items():
            assert ranked[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
