"""The committed JSON Schema accepts the specs the loader accepts and rejects what it rejects."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from containers.spec.loader import spec_from_dict
from containers.spec.problems import SpecError

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "docs" / "reference" / "spec.schema.json"
SPECS = sorted((REPO / "specs").glob("*.yaml"))

Tree = dict[str, Any]


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _load(path: Path) -> Tree:
    tree = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(tree, dict)
    return tree


def _schema_errors(validator: Any, tree: Tree) -> list[str]:
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(tree)
    ]


@pytest.mark.parametrize("spec", SPECS, ids=[path.name for path in SPECS])
def test_every_shipped_spec_is_valid_under_the_schema(validator: Any, spec: Path) -> None:
    assert _schema_errors(validator, _load(spec)) == []


def _set(key: str, value: Any) -> Callable[[Tree], None]:
    def mutate(tree: Tree) -> None:
        *parents, last = key.split(".")
        node: Any = tree
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        node[last] = value

    return mutate


MUTATIONS = {
    "unknown section": _set("Trainning", {}),
    "unknown Training key": _set("Training.pretrain_step", 10),
    "unknown key in a nested section": _set("Training.ema.decai", 0.9),
    "unknown generator parameter": _set("Generator.params.n_blockz", 4),
    "unknown loss parameter": _set("Losses.0.params.band_weight", [1.0]),
    "unknown discriminator parameter": _set("Discriminator.params.depth", 3),
    "unknown dataset parameter": _set("Data.params.patchsize", 32),
    "unknown per-branch normaliser parameter": _set(
        "Normalisation.lr", {"name": "minmax", "params": {"minimum": [0.0], "maxi": [1.0]}}
    ),
    "unknown generator name": _set("Generator.name", "srresnt"),
    "value outside a Literal": _set("Data.dimensions", "4d"),
    "string for an int": _set("Data.scale", "4"),
    "bool for an int": _set("Data.batch_size", True),
    "below at_least": _set("Data.channels", 0),
    "outside in_range": _set("Training.generator_optimizer.lr", 0.0),
    "even kernel size": _set("Generator.params.kernel_size", 4),
    "reserved Trainer key": _set("Trainer.gradient_clip_val", 1.0),
    "missing required key": lambda tree: tree["Generator"].pop("name"),
}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=list(MUTATIONS))
def test_schema_and_loader_both_reject(validator: Any, mutate: Callable[[Tree], None]) -> None:
    tree = _load(REPO / "specs" / "quickstart.yaml")
    mutate(tree)
    assert _schema_errors(validator, tree), "the schema accepted it"
    with pytest.raises(SpecError):
        spec_from_dict(copy.deepcopy(tree))


def test_params_follow_the_named_component(validator: Any) -> None:
    # srgan has head_channels, patchgan has not: the name decides which parameters are checked.
    tree = _load(REPO / "specs" / "quickstart.yaml")
    assert _schema_errors(validator, tree) == []
    tree["Discriminator"]["name"] = "patchgan"
    error = jsonschema.exceptions.best_match(validator.iter_errors(tree))
    assert list(error.absolute_path) == ["Discriminator", "params"]
    assert "('head_channels', 'n_blocks' were unexpected)" in error.message


def test_defaults_in_the_schema_are_the_loaders(validator: Any) -> None:
    schema = validator.schema
    training = schema["$defs"]["TrainingConfig"]["properties"]
    spec = spec_from_dict(_load(REPO / "specs" / "quickstart.yaml"))
    assert training["d_update_interval"]["default"] == 1 == type(spec.Training)().d_update_interval
    assert schema["properties"]["Losses"]["items"] == {"$ref": "#/$defs/LossTermSpec.loss"}
