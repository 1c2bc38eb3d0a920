"""A realistic spec against the real registries."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from containers.spec import (
    SpecError,
    load_spec,
    load_spec_text,
    spec_from_dict,
    spec_to_dict,
)

SPEC = """\
Data:
  dataset: sample_photos
  params: {patch_size: 32}
  dimensions: 2d
  channels: 3
  scale: 4
  batch_size: 2
Normalisation:
  name: minmax
  params: {minimum: [0.0], maximum: [255.0]}
Generator:
  name: srresnet
  params: {n_channels: 8, n_blocks: 1}
Discriminator:
  name: srgan
  params: {base_channels: 8}
Losses:
  - name: l1
  - name: bce
    weight: 0.001
Training:
  precision: bf16-mixed
  pretrain_steps: 2
Callbacks:
  lr_monitor: true
Logging:
  logger: csv
Trainer:
  max_steps: 4
  accelerator: cpu
"""


def test_a_realistic_spec_loads_with_the_real_components(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    spec = load_spec(path, ["Trainer.limit_val_batches=1"])
    assert spec.Generator.name == "srresnet"
    assert attrs.has(type(spec.Generator.params))
    assert spec.Generator.params.n_blocks == 1
    assert spec.Discriminator is not None
    assert attrs.has(type(spec.Discriminator.params))
    assert all(attrs.has(type(term.params)) for term in spec.Losses)
    assert attrs.has(type(spec.Normalisation.params))
    assert attrs.has(type(spec.Data.params))
    assert spec.Trainer == {"max_steps": 4, "accelerator": "cpu", "limit_val_batches": 1}
    assert spec_from_dict(spec_to_dict(spec)) == spec


def test_real_registry_names_are_suggested(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.replace("name: srresnet", "name: srresnt"))
    with pytest.raises(SpecError) as caught:
        load_spec(path, ["Generator.params.n_blocks=1x"])
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.key) == (12, 9, "Generator.name")
    assert "did you mean 'srresnet'?" in problem.message


def test_loss_schedules_are_validated_and_structured() -> None:
    text = SPEC.replace(
        "  - name: l1\n",
        "  - name: l1\n    schedule: {shape: cosine, start: 10, length: 20}\n",
    )
    spec = load_spec_text(text, "s.yaml")
    schedule = spec.Losses[0].schedule
    assert (schedule.shape, schedule.start, schedule.length) == ("cosine", 10, 20)
    bad = SPEC.replace("  - name: l1\n", "  - name: l1\n    schedule: {shape: step, start: -1}\n")
    with pytest.raises(SpecError) as caught:
        load_spec_text(bad, "s.yaml")
    messages = [str(problem) for problem in caught.value.problems]
    assert (
        "s.yaml:19:23: Losses.0.schedule.shape: expected one of 'constant', 'linear', 'cosine', got 'step'"
        in messages
    )
    assert "s.yaml:19:36: Losses.0.schedule.start: must be >= 0, got -1" in messages


def test_feature_matching_needs_a_discriminator() -> None:
    text = SPEC.replace("Discriminator:\n  name: srgan\n  params: {base_channels: 8}\n", "")
    text = text.replace("  - name: bce\n    weight: 0.001\n", "  - name: feature_matching\n")
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "s.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "s.yaml:16:11: Losses.1.name: loss 'feature_matching' uses discriminator features: "
        "it needs a Discriminator"
    ]
