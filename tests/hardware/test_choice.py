"""Precision and layout resolved from faked hardware: the choice, its reason, explicit values kept."""

from __future__ import annotations

import pytest

from gan_engine.hardware.choice import LayoutTiming, layout_is_open, resolve
from gan_engine.hardware.facts import HardwareFacts
from gan_engine.hardware.precision import Precision

AVX2 = HardwareFacts(name="EPYC", cpu_capability="AVX2", onednn_bf16=False)
AVX512 = HardwareFacts(name="Skylake", cpu_capability="AVX512", onednn_bf16=True)
AVX512_BF16 = HardwareFacts(
    name="Genoa", cpu_capability="AVX512", avx512_bf16=True, onednn_bf16=True
)
AMX = HardwareFacts(
    name="Sapphire Rapids", cpu_capability="AVX512", avx512_bf16=True, amx=True, onednn_bf16=True
)
CUDA_75 = HardwareFacts(device="cuda", name="T4", cuda_capability=(7, 5))
CUDA_80 = HardwareFacts(device="cuda", name="A100", cuda_capability=(8, 0))
CUDA_61 = HardwareFacts(device="cuda", name="P40", cuda_capability=(6, 1))
MPS = HardwareFacts(device="mps", name="Apple MPS (M2)", machine="arm64")
ARM_BF16 = HardwareFacts(
    name="Graviton3", cpu_capability="SVE256", machine="aarch64", onednn_bf16=True
)


class CountingProbe:
    """A fake probe returning fixed timings and recording the precisions it was asked for."""

    def __init__(self, nchw_ms: float, channels_last_ms: float) -> None:
        self.timing = LayoutTiming(nchw_ms, channels_last_ms)
        self.calls: list[Precision] = []

    def __call__(self, precision: Precision) -> LayoutTiming:
        self.calls.append(precision)
        return self.timing


@pytest.mark.parametrize(
    ("facts", "precision", "channels_last", "words"),
    [
        (AVX2, "32", False, ["CPU EPYC (AVX2)", "bf16 is emulated", "3x slower than NCHW"]),
        (AVX512_BF16, "bf16-mixed", True, ["native bf16", "AVX512_BF16"]),
        (AMX, "bf16-mixed", True, ["native bf16 on this CPU (AMX)"]),
        (CUDA_80, "bf16-mixed", True, ["CUDA A100", "8.0 >= 8.0", "tensor-core"]),
        (CUDA_75, "16-mixed", True, ["7.5 < 8.0", "loss scaling"]),
        (CUDA_61, "16-mixed", False, ["no tensor cores"]),
        (MPS, "32", False, ["MPS"]),
    ],
)
def test_the_facts_decide_precision_and_layout_for_training(
    facts: HardwareFacts, precision: str, channels_last: bool, words: list[str]
) -> None:
    probe = CountingProbe(1.0, 0.5)
    choice = resolve(facts, "auto", "auto", probe=probe)
    assert (choice.precision, choice.channels_last) == (precision, channels_last)
    assert choice.timing is None
    assert probe.calls == []  # decided without timing
    for word in words:
        assert word in choice.reason
    assert "auto" in choice.reason


def test_avx512_without_native_bf16_times_the_layouts() -> None:
    faster_cl = CountingProbe(nchw_ms=10.0, channels_last_ms=8.0)
    choice = resolve(AVX512, "auto", "auto", probe=faster_cl)
    assert choice.precision == "32"
    assert choice.channels_last is True
    assert faster_cl.calls == ["32"]
    assert choice.timing == faster_cl.timing
    assert "NCHW 10.0 ms, channels-last 8.0 ms" in choice.reason

    tie = resolve(AVX512, "auto", "auto", probe=CountingProbe(10.0, 9.9))
    assert tie.channels_last is False  # within 3 %: NCHW, which every op supports


def test_without_a_probe_the_instruction_set_default_is_used() -> None:
    assert resolve(AVX512, "auto", "auto").channels_last is True
    assert "not timed" in resolve(AVX512, "auto", "auto").reason
    assert resolve(ARM_BF16, "auto", "auto").channels_last is False
    assert layout_is_open(AVX512, "auto")
    assert not layout_is_open(AVX512, False)
    assert not layout_is_open(AVX2, "auto")


def test_other_cpus_use_bf16_where_onednn_has_it_and_time_the_layout() -> None:
    probe = CountingProbe(5.0, 2.0)
    choice = resolve(ARM_BF16, "auto", "auto", probe=probe)
    assert (choice.precision, choice.channels_last) == ("bf16-mixed", True)
    assert probe.calls == ["bf16-mixed"]


@pytest.mark.parametrize("facts", [AVX2, AVX512, AVX512_BF16, AMX, CUDA_75, CUDA_80, MPS])
@pytest.mark.parametrize("precision", ["32", "16-mixed", "bf16-mixed"])
@pytest.mark.parametrize("channels_last", [True, False])
def test_explicit_values_are_always_kept(
    facts: HardwareFacts, precision: Precision, channels_last: bool
) -> None:
    probe = CountingProbe(1.0, 0.1)
    choice = resolve(facts, precision, channels_last, probe=probe)
    assert (choice.precision, choice.channels_last) == (precision, channels_last)
    assert choice.reason.count("(as set)") == 2
    assert probe.calls == []


def test_an_explicit_precision_with_an_auto_layout_resolves_only_the_layout() -> None:
    choice = resolve(AVX2, "bf16-mixed", "auto")
    assert (choice.precision, choice.channels_last) == ("bf16-mixed", False)
    assert "precision bf16-mixed (as set)" in choice.reason


@pytest.mark.parametrize(
    ("facts", "precision"),
    [
        (AVX2, "32"),
        (AVX512, "32"),
        (AVX512_BF16, "bf16-mixed"),
        (CUDA_80, "bf16-mixed"),
        (CUDA_75, "32"),
        (MPS, "32"),
        (ARM_BF16, "32"),
    ],
)
def test_inference_uses_bf16_only_where_native_and_never_fp16(
    facts: HardwareFacts, precision: str
) -> None:
    assert resolve(facts, "auto", "auto", purpose="inference").precision == precision


def test_cuda_flags_follow_the_capability() -> None:
    ampere, turing = resolve(CUDA_80, "auto", "auto"), resolve(CUDA_75, "auto", "auto")
    assert ampere.allow_tf32
    assert ampere.cudnn_benchmark
    assert not turing.allow_tf32
    assert turing.cudnn_benchmark
    cpu = resolve(AVX2, "auto", "auto")
    assert not cpu.allow_tf32
    assert not cpu.cudnn_benchmark


@pytest.mark.parametrize(
    ("facts", "native"),
    [
        (AVX2, False),
        (AVX512, False),
        (AVX512_BF16, True),
        (AMX, True),
        # emulating AVX2 on a bf16 machine: torch's kernels or oneDNN capped below AVX-512
        (HardwareFacts(cpu_capability="AVX2", avx512_bf16=True, amx=True), False),
        (HardwareFacts(cpu_capability="AVX512", avx512_bf16=True, onednn_isa_cap="AVX2"), False),
        (HardwareFacts(cpu_capability="AVX512", amx=True, onednn_isa_cap="AVX512_CORE_AMX"), True),
        (ARM_BF16, True),
        (HardwareFacts(machine="aarch64", onednn_bf16=False), False),
    ],
)
def test_native_bf16_needs_the_instructions_and_no_cap_below_them(
    facts: HardwareFacts, native: bool
) -> None:
    assert facts.cpu_bf16_native is native
