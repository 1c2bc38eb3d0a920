"""What a device offers that decides precision and memory layout, read from torch once."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Literal

import attrs
import torch

DeviceType = Literal["cpu", "cuda", "mps"]

ONEDNN_ISA_VARIABLES = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")
"""Environment variables that cap the instruction set oneDNN (torch's CPU convolutions) uses."""
_X86 = ("x86_64", "amd64", "i386", "i686", "x86")
# oneDNN ISA caps (ONEDNN_MAX_CPU_ISA values) under which bf16 instructions stay available.
_BF16_ISA_WORDS = ("BF16", "AMX", "AVX10", "ALL", "DEFAULT")


@attrs.frozen
class HardwareFacts:
    """The facts about one device that :mod:`gan_engine.hardware.choice` decides from.

    Attributes:
        device: where the networks run: ``cpu``, ``cuda`` or ``mps``.
        name: the CPU model or GPU name (messages and the probe cache key).
        cpu_capability: the kernel class torch dispatches to on the CPU
            (``torch.backends.cpu.get_cpu_capability()``: ``AVX2``, ``AVX512``, ``DEFAULT``, ``SVE256``, …;
            ``ATEN_CPU_CAPABILITY`` lowers it).
        machine: the processor architecture (``platform.machine()``: ``x86_64``, ``arm64``, …).
        avx512_bf16: the CPU executes AVX512_BF16 instructions.
        amx: the CPU has AMX tiles (bf16 matrix units).
        onednn_bf16: oneDNN has bf16 convolutions here, natively or emulated.
        onednn_isa_cap: ``ONEDNN_MAX_CPU_ISA`` as set in the environment (empty: no cap).
        cuda_capability: the CUDA device's compute capability ``(major, minor)``; ``None`` elsewhere.
    """

    device: DeviceType = "cpu"
    name: str = "unknown"
    cpu_capability: str = "DEFAULT"
    machine: str = "x86_64"
    avx512_bf16: bool = False
    amx: bool = False
    onednn_bf16: bool = False
    onednn_isa_cap: str = ""
    cuda_capability: tuple[int, int] | None = None

    @property
    def is_x86(self) -> bool:
        """Whether the CPU is an x86 one (AVX classes apply)."""
        return self.machine.lower() in _X86

    @property
    def cpu_bf16_native(self) -> bool:
        """Whether bf16 convolutions run natively, i.e. faster than fp32, on this CPU.

        On x86 that needs AVX512_BF16 or AMX, torch's AVX-512 kernels and oneDNN not capped below
        them; AVX2-only CPUs emulate bf16 (slower than fp32). Elsewhere (ARM) oneDNN's own report.
        """
        if not self.is_x86:
            return self.onednn_bf16
        cap = self.onednn_isa_cap.upper()
        uncapped = not cap or any(word in cap for word in _BF16_ISA_WORDS)
        return (self.avx512_bf16 or self.amx) and self.cpu_capability == "AVX512" and uncapped


def device_type_for(accelerator: str) -> DeviceType:
    """The device Lightning's ``accelerator`` setting trains on: ``auto`` prefers CUDA, then MPS."""
    wanted = accelerator.lower()
    if wanted in ("gpu", "cuda"):
        return "cuda"
    if wanted == "mps":
        return "mps"
    if wanted == "cpu":
        return "cpu"
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def detect_facts(device: DeviceType = "cpu") -> HardwareFacts:
    """Read the facts of ``device`` (the first CUDA device for ``cuda``) from torch and the OS."""
    cpu = torch.cpu
    onednn_bf16 = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    cap = next((os.environ[name] for name in ONEDNN_ISA_VARIABLES if os.environ.get(name)), "")
    facts = HardwareFacts(
        device=device,
        name=_cpu_name(),
        cpu_capability=torch.backends.cpu.get_cpu_capability(),
        machine=platform.machine() or "unknown",
        avx512_bf16=bool(getattr(cpu, "_is_avx512_bf16_supported", lambda: False)()),
        amx=bool(getattr(cpu, "_is_amx_tile_supported", lambda: False)()),
        onednn_bf16=onednn_bf16,
        onednn_isa_cap=cap,
    )
    if device == "cuda" and torch.cuda.is_available():
        major, minor = torch.cuda.get_device_capability(0)
        return attrs.evolve(
            facts, name=torch.cuda.get_device_name(0), cuda_capability=(major, minor)
        )
    if device == "mps":
        return attrs.evolve(facts, name=f"Apple MPS ({facts.name})")
    return facts


def _cpu_name() -> str:
    """The CPU model from ``/proc/cpuinfo`` on Linux, else what ``platform`` knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "cpu model") and value.strip():
                return value.strip()
    return platform.processor() or platform.machine() or "unknown CPU"
