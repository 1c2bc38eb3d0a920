from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from containers.spec import (
    load_spec,
    load_spec_text,
    spec_from_dict,
    spec_to_dict,
    write_resolved_spec,
)
from gan_engine.registry import Registry

Registries = dict[str, Registry[Any]]

FULL = """\
Normalisation:
  name: scale
  params: {factor: 0.5}
  hr: {name: identity}
Training:
  precision: bf16-mixed
  generator_optimizer: {name: adamw, lr: 2e-4, betas: [0.5, 0.99]}
Callbacks:
  early_stopping: {patience: 3}
  extra_validation: ['os.path:join']
Logging: {logger: tensorboard, name: full}
"""


def test_round_trip(good_yaml: str, registries: Registries) -> None:
    spec = load_spec_text(
        good_yaml + "  accelerator: cpu\n" + FULL, "s.yaml", registries=registries
    )
    data = spec_to_dict(spec)
    assert spec_from_dict(data, registries=registries) == spec
    assert json.loads(json.dumps(data)) == data  # plain data: JSON-safe
    assert data["Generator"]["params"] == {
        "n_blocks": 4, "n_features": 48, "kernel_size": 3, "norm": None,
    }  # fmt: skip
    assert data["Training"]["generator_optimizer"]["betas"] == [0.5, 0.99]
    assert data["Discriminator"]["params"]["betas"] == [0.9, 0.99]
    assert data["Data"]["batch_size"] == 8  # defaults are filled in
    assert data["Normalisation"]["lr"] is None


def test_round_trip_through_a_file(tmp_path: Path, good_yaml: str, registries: Registries) -> None:
    spec = load_spec_text(good_yaml + FULL, "s.yaml", registries=registries)
    path = write_resolved_spec(spec, tmp_path / "run" / "spec.yaml")
    assert path == tmp_path / "run" / "spec.yaml"
    assert [p.name for p in path.parent.iterdir()] == ["spec.yaml"]  # no temporary file left
    assert path.read_text().startswith("# Resolved run spec")
    assert load_spec(path, registries=registries) == spec
    assert YAML(typ="safe").load(path) == spec_to_dict(spec)


def test_writing_replaces_an_existing_file(
    tmp_path: Path, good_yaml: str, registries: Registries
) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("old")
    spec = load_spec_text(good_yaml, "s.yaml", registries=registries)
    write_resolved_spec(spec, path)
    assert load_spec(path, registries=registries) == spec
