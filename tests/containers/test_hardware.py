"""Auto precision and layout resolved into the spec that containers, spec.yaml and checkpoints use."""

from __future__ import annotations

from pathlib import Path

import pytest

from containers.application import ApplicationContainer
from containers.cli.main import main
from containers.hardware import keep_checkpoint_hardware, resolve_spec, trainer_device
from containers.spec.loader import load_spec
from gan_engine.hardware.choice import LayoutTiming
from gan_engine.hardware.facts import HardwareFacts
from gan_engine.hardware.precision import Precision
from gan_engine.hardware.probe import ProbeCache

AVX2 = HardwareFacts(name="EPYC", cpu_capability="AVX2")
AVX512 = HardwareFacts(name="Skylake", cpu_capability="AVX512", onednn_bf16=True)
AVX512_BF16 = HardwareFacts(name="Genoa", cpu_capability="AVX512", avx512_bf16=True)


@pytest.mark.parametrize(
    ("facts", "precision", "channels_last"),
    [(AVX2, "32", False), (AVX512_BF16, "bf16-mixed", True)],
)
def test_auto_is_replaced_by_concrete_values(
    quickstart: Path, facts: HardwareFacts, precision: str, channels_last: bool
) -> None:
    spec = load_spec(quickstart)
    assert (spec.Training.precision, spec.Training.channels_last) == ("auto", "auto")
    resolved = resolve_spec(spec, facts)
    assert resolved.spec.Training.precision == precision
    assert resolved.spec.Training.channels_last is channels_last
    assert resolved.spec.Generator == spec.Generator
    assert facts.name in resolved.choice.reason


def test_explicit_values_reach_the_spec_unchanged(quickstart: Path) -> None:
    spec = load_spec(quickstart, ["Training.precision=bf16", "Training.channels_last=true"])
    resolved = resolve_spec(spec, AVX2).spec
    assert (resolved.Training.precision, resolved.Training.channels_last) == ("bf16-mixed", True)


def test_the_probe_times_the_specs_own_generator_once(quickstart: Path, tmp_path: Path) -> None:
    spec = load_spec(quickstart, ["Generator.params={n_channels: 8, n_blocks: 1}"])
    cache = ProbeCache(tmp_path)
    first = resolve_spec(spec, AVX512, cache=cache)
    assert first.choice.timing is not None
    assert "timed on this run's network" in first.choice.reason
    assert cache.path.is_file()
    again = resolve_spec(spec, AVX512, cache=cache)
    assert again.choice.timing == first.choice.timing  # read back, not re-timed
    skipped = resolve_spec(
        load_spec(quickstart, ["Training.hardware_probe=false"]), AVX512, cache=cache
    )
    assert skipped.choice.timing is None
    assert skipped.spec.Training.channels_last is True


def test_a_given_probe_decides(quickstart: Path) -> None:
    def slower_channels_last(precision: Precision) -> LayoutTiming:
        return LayoutTiming(nchw_ms=1.0, channels_last_ms=2.0)

    resolved = resolve_spec(load_spec(quickstart), AVX512, probe=slower_channels_last)
    assert resolved.spec.Training.channels_last is False


def test_the_container_builds_from_the_resolved_spec(quickstart: Path, tmp_path: Path) -> None:
    app = ApplicationContainer(spec=load_spec(quickstart), run_dir=tmp_path)
    resolved = app.hardware().spec
    assert resolved.Training.precision != "auto"
    assert app.training.module().config == resolved.Training
    # Lightning names fp32 "32-true"
    assert app.training.trainer().precision.removesuffix("-true") == resolved.Training.precision


def test_a_resumed_run_keeps_its_checkpoints_settings(quickstart: Path) -> None:
    spec = load_spec(quickstart)
    saved = {"Training": {"precision": "bf16-mixed", "channels_last": True}}
    kept = keep_checkpoint_hardware(spec, saved).Training
    assert (kept.precision, kept.channels_last) == ("bf16-mixed", True)
    explicit = load_spec(quickstart, ["Training.precision=32"])
    assert keep_checkpoint_hardware(explicit, saved).Training.precision == "32"
    assert keep_checkpoint_hardware(spec, {}) == spec


def test_the_trainer_device_follows_the_accelerator(quickstart: Path) -> None:
    assert trainer_device(load_spec(quickstart)) == "cpu"  # the quickstart names cpu
    assert trainer_device(load_spec(quickstart, ["Trainer.accelerator=gpu"])) == "cuda"
    assert trainer_device(load_spec(quickstart, ["Trainer.accelerator=mps"])) == "mps"


@pytest.mark.parametrize("value", ["32", "'32'", "16", "bf16", "'16-mixed'", "auto"])
def test_check_accepts_lightning_spellings(quickstart: Path, value: str) -> None:
    assert main(["check", str(quickstart), "--set", f"Training.precision={value}"]) == 0


def test_check_refuses_an_unknown_precision_with_the_accepted_list(
    quickstart: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(quickstart), "--set", "Training.precision=64"]) == 2
    err = capsys.readouterr().err
    assert "--set Training.precision=64: Training.precision: expected one of 'auto', '32'" in err
    assert err.rstrip().endswith("got 64")


def test_train_with_precision_32_from_the_command_line(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    args = ["train", str(quickstart), "--run-dir", str(run_dir), "--no-probe"]
    for override in [*fast_overrides, "Training.precision=32"]:
        args += ["--set", override]
    assert main(args) == 0
    assert "precision 32 (as set)" in capsys.readouterr().out
    written = load_spec(run_dir / "spec.yaml").Training
    assert written.precision == "32"
    assert isinstance(written.channels_last, bool)
    assert written.hardware_probe is False
