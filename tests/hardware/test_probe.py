"""The layout probe times both layouts without touching the network, and caches per key."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from gan_engine.hardware.choice import LayoutTiming
from gan_engine.hardware.facts import HardwareFacts, detect_facts
from gan_engine.hardware.precision import Precision
from gan_engine.hardware.probe import (
    CACHE_DIR_VARIABLE,
    ProbeCache,
    cached_probe,
    default_cache_dir,
    probe_key,
    time_layouts,
)


@pytest.mark.parametrize("dims", [2, 3])
def test_times_both_layouts_and_leaves_the_network_as_it_was(dims: int) -> None:
    conv = nn.Conv2d if dims == 2 else nn.Conv3d
    network = nn.Sequential(conv(2, 4, 3, padding=1), nn.ReLU(), conv(4, 2, 3, padding=1))
    before = {name: p.detach().clone() for name, p in network.named_parameters()}
    example = torch.rand(1, 2, *([6] * dims))
    timing = time_layouts(network, example, "32", repeats=2, budget_s=0.05)
    assert 0 < timing.nchw_ms < 10_000
    assert 0 < timing.channels_last_ms < 10_000
    for name, parameter in network.named_parameters():
        assert parameter.grad is None
        assert parameter.is_contiguous()
        assert torch.equal(parameter, before[name])


def test_bf16_autocast_is_timed_too() -> None:
    timing = time_layouts(nn.Conv2d(2, 2, 3), torch.rand(1, 2, 8, 8), "bf16-mixed", repeats=1)
    assert timing.nchw_ms > 0
    assert timing.channels_last_ms > 0


def test_the_cache_measures_once_per_key(tmp_path: Path) -> None:
    facts = HardwareFacts(name="cpu-x", cpu_capability="AVX512")
    calls: list[Precision] = []

    def measure(precision: Precision) -> LayoutTiming:
        calls.append(precision)
        return LayoutTiming(3.0, 2.0)

    probe = cached_probe(measure, facts, "net-a", ProbeCache(tmp_path))
    assert probe("32") == LayoutTiming(3.0, 2.0)
    assert probe("32") == LayoutTiming(3.0, 2.0)
    assert calls == ["32"]
    # another process (a fresh cache object on the same folder) reads it back
    again = cached_probe(measure, facts, "net-a", ProbeCache(tmp_path))
    assert again("32") == LayoutTiming(3.0, 2.0)
    assert calls == ["32"]
    # another network, precision or machine is measured anew
    cached_probe(measure, facts, "net-b", ProbeCache(tmp_path))("32")
    probe("bf16-mixed")
    other = HardwareFacts(name="cpu-y", cpu_capability="AVX512")
    cached_probe(measure, other, "net-a", ProbeCache(tmp_path))("32")
    assert calls == ["32", "32", "bf16-mixed", "32"]


def test_an_unreadable_cache_counts_as_empty_and_is_rewritten(tmp_path: Path) -> None:
    cache = ProbeCache(tmp_path)
    cache.path.write_text("{not json", encoding="utf-8")
    assert cache.get("k") is None
    cache.put("k", LayoutTiming(1.0, 2.0))
    assert ProbeCache(tmp_path).get("k") == LayoutTiming(1.0, 2.0)
    assert [p.name for p in tmp_path.iterdir()] == [cache.path.name]  # no temporary left


def test_the_key_names_machine_torch_threads_precision_and_network() -> None:
    key = probe_key(HardwareFacts(name="cpu-x", cpu_capability="AVX2"), "32", "net")
    for part in ("cpu-x", "AVX2", f"torch {torch.__version__}", "threads", "32", "net"):
        assert part in key


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv(CACHE_DIR_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if default_cache_dir().parent == tmp_path / "xdg":
        assert default_cache_dir() == tmp_path / "xdg" / "gan-engine"


def test_detected_facts_agree_with_torch() -> None:
    facts = detect_facts("cpu")
    assert facts.device == "cpu"
    assert facts.cpu_capability == torch.backends.cpu.get_cpu_capability()
    assert facts.name
