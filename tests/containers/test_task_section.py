"""The ``Task`` section: absent means super-resolution, bit for bit; it travels in runs and checkpoints."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from ruamel.yaml import YAML

from containers.application import ApplicationContainer
from containers.run import train
from containers.spec.loader import load_spec
from containers.spec.resolved import spec_to_dict
from gan_engine.protocols import Task
from gan_engine.tasks.super_resolution import SuperResolution
from gan_engine.training.module import CHECKPOINT_KEY


def _generator_weights(checkpoint: Path) -> dict[str, torch.Tensor]:
    content = torch.load(checkpoint, map_location="cpu", weights_only=True)
    return {k: v for k, v in content["state_dict"].items() if k.startswith("generator.")}


def test_a_spec_without_task_is_super_resolution(quickstart: Path) -> None:
    spec = load_spec(quickstart)
    assert spec.Task.name == "super_resolution"
    assert spec_to_dict(spec)["Task"] == {"name": "super_resolution", "params": {}}
    task = ApplicationContainer(spec=spec, run_dir=Path("unused")).components.task()
    assert isinstance(task, SuperResolution)
    assert isinstance(task, Task)
    assert (task.spatial_dims, task.channels, task.scale) == (2, 3, 4)
    assert task.generator_needs == task.discriminator_needs == frozenset()


def test_unknown_task_params_are_refused_with_their_position(quickstart: Path) -> None:
    from containers.spec.problems import SpecError

    with pytest.raises(SpecError) as caught:
        load_spec(quickstart, ["Task={name: super_resolution, params: {holes: 3}}"])
    assert "Task.params" in str(caught.value)


def test_explicit_super_resolution_task_trains_bit_identical_weights(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path
) -> None:
    implicit = load_spec(quickstart, fast_overrides)
    explicit = load_spec(quickstart, [*fast_overrides, "Task={name: super_resolution}"])
    assert implicit == explicit  # the default fills in exactly what the explicit section says
    first = train(implicit, run_dir=tmp_path / "implicit")
    second = train(explicit, run_dir=tmp_path / "explicit")
    assert first.generator_steps == second.generator_steps == 2
    assert first.last_checkpoint is not None
    assert second.last_checkpoint is not None
    a, b = _generator_weights(first.last_checkpoint), _generator_weights(second.last_checkpoint)
    assert a
    assert a.keys() == b.keys()
    assert all(torch.equal(a[key], b[key]) for key in a)
    assert first.psnr == second.psnr
    # the resolved spec in the run folder and in the checkpoint carries the section
    resolved = YAML(typ="safe").load((tmp_path / "implicit" / "spec.yaml").read_text())
    assert resolved["Task"] == {"name": "super_resolution", "params": {}}
    state = torch.load(first.last_checkpoint, map_location="cpu", weights_only=True)
    assert state[CHECKPOINT_KEY]["spec"]["Task"]["name"] == "super_resolution"
    assert state[CHECKPOINT_KEY]["task"] == "super_resolution"
