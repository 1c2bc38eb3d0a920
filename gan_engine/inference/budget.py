"""The memory budget of prediction: ``--max-memory`` parsed, or a share of what the device has free.

One small module so that every part of prediction that must stay under the budget (the default
tile, outputs that cannot stream) reads the same number.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import torch

CPU_FRACTION = 0.5
"""Share of the available RAM (``MemAvailable``) a CPU run may use by default."""

GPU_FRACTION = 0.8
"""Share of the free GPU memory a GPU run may use by default."""

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1 << 10,
    "kib": 1 << 10,
    "kb": 10**3,
    "m": 1 << 20,
    "mib": 1 << 20,
    "mb": 10**6,
    "g": 1 << 30,
    "gib": 1 << 30,
    "gb": 10**9,
    "t": 1 << 40,
    "tib": 1 << 40,
    "tb": 10**12,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$", re.IGNORECASE)
_MEMINFO = Path("/proc/meminfo")


def parse_memory(text: str) -> int:
    """Bytes in a size such as ``2GiB``, ``512MiB``, ``1.5GB`` or ``1073741824``.

    ``KiB``/``MiB``/``GiB``/``TiB`` and the bare ``K``/``M``/``G``/``T`` are powers of 1024,
    ``kB``/``MB``/``GB``/``TB`` powers of 1000; case does not matter.

    Raises:
        ValueError: not a size, or not positive.
    """
    match = _SIZE.match(text)
    unit = match[2].lower() if match else ""
    if match is None or unit not in _UNITS:
        msg = f"expected a memory size such as 2GiB, 512MiB or 1.5GB, got {text!r}"
        raise ValueError(msg)
    size = int(float(match[1]) * _UNITS[unit])
    if size <= 0:
        msg = f"a memory budget must be positive, got {text!r}"
        raise ValueError(msg)
    return size


def format_bytes(size: float) -> str:
    """``size`` in the largest binary unit that keeps it at least 1 (``1.5 GiB``, ``640 MiB``)."""
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(size) >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{int(size)} B"


def available_memory(device: str | torch.device = "cpu") -> int:
    """Bytes ``device`` can still allocate: free GPU memory, or ``MemAvailable`` RAM on a CPU.

    Off Linux, where ``/proc/meminfo`` is missing, the CPU figure is the physical RAM.
    """
    kind = torch.device(device)
    if kind.type == "cuda" and torch.cuda.is_available():
        free, _total = torch.cuda.mem_get_info(kind)
        return int(free)
    if _MEMINFO.is_file():
        for line in _MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    import os

    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


@attrs.frozen
class MemoryBudget:
    """Bytes prediction may use, and where the number comes from (said to the user).

    Attributes:
        bytes: the budget.
        reason: ``max_memory, --max-memory`` (given) or ``50% of 15.2 GiB available RAM``.
    """

    bytes: int
    reason: str


def resolve_budget(max_memory: int | None, device: str | torch.device = "cpu") -> MemoryBudget:
    """``max_memory`` bytes when given, else a share of what ``device`` has free.

    The default is :data:`CPU_FRACTION` of the available RAM on a CPU and :data:`GPU_FRACTION` of
    the free memory on a GPU.
    """
    if max_memory is not None:
        return MemoryBudget(max_memory, "max_memory, --max-memory")
    gpu = torch.device(device).type == "cuda" and torch.cuda.is_available()
    fraction = GPU_FRACTION if gpu else CPU_FRACTION
    free = available_memory(device)
    where = "free GPU memory" if gpu else "available RAM"
    return MemoryBudget(int(free * fraction), f"{fraction:.0%} of {format_bytes(free)} {where}")
