"""Precision and memory layout resolved from :class:`HardwareFacts`: pure functions with reasons.

The rules follow what was measured (BENCHMARKS.md, "Defaults per hardware class"):

- x86 CPUs with native bf16 (AVX512_BF16 or AMX): ``bf16-mixed`` and channels-last;
- AVX-512 CPUs without native bf16: fp32 (bf16 would be emulated); the layout is decided by a
  short timed probe of the run's own network when one is given, channels-last otherwise;
- AVX2 and older x86 CPUs: fp32 in NCHW (bf16 is emulated and slower than fp32, channels-last fp32
  convolutions are about 3× slower than NCHW there);
- other CPUs (ARM, POWER, …): bf16 training where oneDNN has it (fp32 inference: not measured), the
  layout from the probe, NCHW without one;
- CUDA: ``bf16-mixed`` from compute capability 8.0 (Ampere) on, ``16-mixed`` below, channels-last
  from 7.0 (tensor cores) on; TF32 matmuls allowed from 8.0, cuDNN autotuning on (fixed shapes);
- MPS: fp32 in NCHW, the settings every MPS backend supports.

Explicit settings are always kept; only ``auto`` is resolved. Inference (outputs are data) uses bf16
only where it is native, and never fp16.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import attrs

from gan_engine.hardware.facts import HardwareFacts
from gan_engine.hardware.precision import LayoutSetting, Precision, PrecisionSetting

Purpose = Literal["training", "inference"]


@attrs.frozen
class LayoutTiming:
    """Best time of the same work in both memory layouts (milliseconds)."""

    nchw_ms: float
    channels_last_ms: float

    @property
    def channels_last_faster(self) -> bool:
        """Whether channels-last wins (ties, within 3 %, go to NCHW: every op supports it)."""
        return self.channels_last_ms < 0.97 * self.nchw_ms


LayoutProbe = Callable[[Precision], LayoutTiming]
"""Times the run's network in both layouts at a precision (see :mod:`gan_engine.hardware.probe`)."""


@attrs.frozen
class HardwareChoice:
    """A resolved precision and memory layout, why, and the backend flags that go with them.

    Attributes:
        precision: the precision to run at (Lightning's name).
        channels_last: run networks and inputs in channels-last memory format.
        reason: one line per setting: what was chosen and why (printed at start, kept in the run's
            ``spec.yaml``).
        allow_tf32: allow TF32 for fp32 matmuls and convolutions (CUDA from Ampere on).
        cudnn_benchmark: let cuDNN time its algorithms on the first batch of each shape.
        timing: the probe's measurement, when one decided the layout.
    """

    precision: Precision
    channels_last: bool
    reason: str
    allow_tf32: bool = False
    cudnn_benchmark: bool = False
    timing: LayoutTiming | None = None


@attrs.frozen
class _Suggestion:
    precision: Precision
    precision_why: str
    channels_last: bool | None  # None: the facts alone do not decide
    layout_why: str
    fallback_channels_last: bool = False


def _cpu_suggestion(facts: HardwareFacts, purpose: Purpose) -> _Suggestion:
    isa = facts.cpu_capability
    if facts.is_x86 and facts.cpu_bf16_native:
        units = "AMX" if facts.amx else "AVX512_BF16"
        return _Suggestion(
            "bf16-mixed",
            f"native bf16 on this CPU ({units}): bf16 steps ran 1.7-2.2x faster than fp32",
            True,
            "channels-last convolutions were never slower and up to 1.25x faster with bf16",
        )
    if not facts.is_x86:
        precision: Precision = "bf16-mixed" if facts.onednn_bf16 and purpose == "training" else "32"
        why = "oneDNN has bf16 on this CPU" if precision != "32" else "no bf16 on this CPU"
        return _Suggestion(precision, f"{why} ({facts.machine}, {isa})", None, "")
    if isa == "AVX512":
        return _Suggestion(
            "32",
            "AVX-512 without native bf16: bf16 would be emulated",
            None,
            "",
            fallback_channels_last=True,
        )
    return _Suggestion(
        "32",
        f"{isa} CPU without native bf16: bf16 is emulated, slower than fp32",
        False,
        f"fp32 channels-last convolutions run about 3x slower than NCHW on {isa}",
    )


def _suggestion(facts: HardwareFacts, purpose: Purpose) -> _Suggestion:
    if facts.device == "cuda":
        major, minor = facts.cuda_capability or (0, 0)
        cc = f"compute capability {major}.{minor}"
        if major >= 8:
            precision: Precision = "bf16-mixed"
            why = f"{cc} >= 8.0: bf16 tensor cores, no loss scaling"
        elif purpose == "inference":
            precision, why = "32", f"{cc} < 8.0: no bf16, and fp16 could overflow the output data"
        else:
            precision, why = "16-mixed", f"{cc} < 8.0: no bf16 tensor cores; fp16 with loss scaling"
        tensor_cores = major >= 7
        layout_why = (
            "tensor-core convolutions run in channels-last (NHWC)"
            if tensor_cores
            else f"{cc} has no tensor cores"
        )
        return _Suggestion(precision, why, tensor_cores, layout_why)
    if facts.device == "mps":
        why = "MPS: the precision and layout every MPS backend supports"
        return _Suggestion("32", why, False, why)
    return _cpu_suggestion(facts, purpose)


def resolve(
    facts: HardwareFacts,
    precision: PrecisionSetting,
    channels_last: LayoutSetting,
    *,
    purpose: Purpose = "training",
    probe: LayoutProbe | None = None,
) -> HardwareChoice:
    """Resolve ``auto`` precision and layout for ``facts``; explicit values are kept as given.

    Args:
        facts: the device the networks run on.
        precision: the user's setting (``auto`` or a concrete precision).
        channels_last: the user's setting (``auto``, ``True`` or ``False``).
        purpose: ``training``, or ``inference`` (outputs are data: bf16 only where native, no fp16).
        probe: times both layouts when the facts leave the layout open; without one, the layout
            falls back to what the instruction set suggests.
    """
    suggestion = _suggestion(facts, purpose)
    device = _device_words(facts)
    if precision == "auto":
        chosen: Precision = suggestion.precision
        precision_line = f"precision {chosen} (auto: {suggestion.precision_why})"
    else:
        chosen = precision
        precision_line = f"precision {chosen} (as set)"
    timing: LayoutTiming | None = None
    if channels_last != "auto":
        layout = channels_last
        layout_line = f"{_layout_name(layout)} (as set)"
    elif suggestion.channels_last is not None:
        layout = suggestion.channels_last
        layout_line = f"{_layout_name(layout)} (auto: {suggestion.layout_why})"
    elif probe is not None:
        timing = probe(chosen)
        layout = timing.channels_last_faster
        layout_line = (
            f"{_layout_name(layout)} (auto, timed on this run's network: NCHW "
            f"{timing.nchw_ms:.1f} ms, channels-last {timing.channels_last_ms:.1f} ms)"
        )
    else:
        layout = suggestion.fallback_channels_last
        layout_line = (
            f"{_layout_name(layout)} (auto, not timed: the default for {facts.cpu_capability})"
        )
    cuda = facts.device == "cuda"
    tf32 = cuda and (facts.cuda_capability or (0, 0))[0] >= 8
    return HardwareChoice(
        precision=chosen,
        channels_last=layout,
        reason=f"{device}: {precision_line}; {layout_line}",
        allow_tf32=tf32,
        cudnn_benchmark=cuda,
        timing=timing,
    )


def layout_is_open(facts: HardwareFacts, channels_last: LayoutSetting) -> bool:
    """Whether resolving ``channels_last`` for ``facts`` would run the probe (so callers build it)."""
    if channels_last != "auto":
        return False
    return _suggestion(facts, "training").channels_last is None


def _layout_name(channels_last: bool) -> str:
    return "channels-last" if channels_last else "NCHW layout"


def _device_words(facts: HardwareFacts) -> str:
    if facts.device == "cpu":
        return f"CPU {facts.name} ({facts.cpu_capability})"
    return f"{facts.device.upper()} {facts.name}"
