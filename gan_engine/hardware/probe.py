"""A short timed probe of both memory layouts on a run's own network, cached per machine.

Where the instruction set does not decide the layout (AVX-512 without native bf16, non-x86 CPUs),
:func:`time_layouts` runs a few forward and backward passes of the network on a small input in NCHW
and in channels-last, alternating, and keeps the best time of each. The result is cached under the
user cache folder, keyed by CPU, torch version, threads, precision and network, so it is paid once.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import Tensor, nn

from gan_engine.hardware.choice import LayoutProbe, LayoutTiming
from gan_engine.hardware.facts import HardwareFacts
from gan_engine.hardware.precision import Precision

CACHE_DIR_VARIABLE = "GAN_ENGINE_CACHE_DIR"
"""Environment variable naming the cache folder (default: the user cache folder + ``gan-engine``)."""
CACHE_FILE = "layout-probe.json"

_AUTOCAST_DTYPES = {"bf16-mixed": torch.bfloat16, "16-mixed": torch.float16}


def time_layouts(
    network: nn.Module,
    example: Tensor,
    precision: Precision = "32",
    *,
    repeats: int = 3,
    budget_s: float = 0.5,
) -> LayoutTiming:
    """Best milliseconds of a forward and backward pass of ``network`` on ``example`` per layout.

    ``network`` is copied (its own layout and gradients are untouched). One warm-up pass per
    layout, then passes alternate between layouts until ``repeats`` each or ``budget_s`` seconds.

    Args:
        network: the module to time; called as ``network(x)``.
        example: an input ``[B, C, *S]`` (2 or 3 spatial dims).
        precision: ``32``, or autocast at ``bf16-mixed``/``16-mixed``.
        repeats: the most timed passes per layout.
        budget_s: stop repeating after this many seconds of timed passes (at least one each).
    """
    fmt = torch.channels_last if example.ndim == 4 else torch.channels_last_3d
    models = {False: copy.deepcopy(network).train(), True: copy.deepcopy(network).train()}
    models[True].to(memory_format=fmt)
    inputs = {False: example.contiguous(), True: example.contiguous(memory_format=fmt)}
    dtype = _AUTOCAST_DTYPES.get(precision)

    def one_pass(channels_last: bool) -> float:
        model = models[channels_last]
        model.zero_grad(set_to_none=True)
        autocast = (
            torch.autocast(example.device.type, dtype=dtype)
            if dtype is not None
            else contextlib.nullcontext()
        )
        start = time.perf_counter()
        with autocast:
            output = model(inputs[channels_last])
        output.float().mean().backward()
        return (time.perf_counter() - start) * 1000.0

    for layout in (False, True):
        one_pass(layout)  # warm-up: oneDNN creates its primitives on the first pass
    best = {False: float("inf"), True: float("inf")}
    started = time.perf_counter()
    for _ in range(max(1, repeats)):
        for layout in (False, True):
            best[layout] = min(best[layout], one_pass(layout))
        if time.perf_counter() - started > budget_s:
            break
    return LayoutTiming(nchw_ms=best[False], channels_last_ms=best[True])


def default_cache_dir() -> Path:
    """``$GAN_ENGINE_CACHE_DIR``, else the user cache folder (XDG, macOS, Windows) + ``gan-engine``."""
    explicit = os.environ.get(CACHE_DIR_VARIABLE)
    if explicit:
        return Path(explicit)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "gan-engine" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "gan-engine"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gan-engine"


def probe_key(facts: HardwareFacts, precision: Precision, network: str) -> str:
    """The cache key: CPU, instruction caps, torch version, threads, precision, network signature."""
    return " | ".join(
        (
            facts.name,
            facts.cpu_capability,
            facts.onednn_isa_cap or "oneDNN uncapped",
            f"torch {torch.__version__}",
            f"{torch.get_num_threads()} threads",
            precision,
            network,
        )
    )


class ProbeCache:
    """Layout timings in one JSON file; an unreadable file counts as empty and is rewritten."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder or default_cache_dir()) / CACHE_FILE

    def _read(self) -> dict[str, dict[str, float]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> LayoutTiming | None:
        """The cached timing for ``key``, if any."""
        entry = self._read().get(key)
        try:
            return LayoutTiming(float(entry["nchw_ms"]), float(entry["channels_last_ms"]))  # type: ignore[index]
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, key: str, timing: LayoutTiming) -> None:
        """Store ``timing`` under ``key`` (atomically; a folder that cannot be written is skipped)."""
        data = self._read()
        data[key] = {"nchw_ms": timing.nchw_ms, "channels_last_ms": timing.channels_last_ms}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                    json.dump(data, stream, indent=1, sort_keys=True)
                Path(temporary).replace(self.path)
            finally:
                Path(temporary).unlink(missing_ok=True)


def cached_probe(
    measure: Callable[[Precision], LayoutTiming],
    facts: HardwareFacts,
    network: str,
    cache: ProbeCache | None = None,
) -> LayoutProbe:
    """``measure`` behind the cache: the first call per key times, later ones (any process) read."""
    store = cache or ProbeCache()

    def probe(precision: Precision) -> LayoutTiming:
        key = probe_key(facts, precision, network)
        found = store.get(key)
        if found is not None:
            return found
        timing = measure(precision)
        store.put(key, timing)
        return timing

    return probe
