from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from containers.spec import load_spec_text
from containers.spec.overrides import apply_overrides, parse_overrides
from gan_engine.registry import Registry

Registries = dict[str, Registry[Any]]


def test_values_are_parsed_as_yaml(good_yaml: str, registries: Registries) -> None:
    overrides = [
        "Trainer.max_steps=100",
        "Training.generator_optimizer.lr=1e-4",
        "Training.generator_optimizer.betas=[0.5, 0.99]",
        "Data.pin_memory=true",
        "Generator.params={n_blocks: 2}",
        "Losses.0.weight=0.5",
        "Normalisation.lr.name=scale",
        "Callbacks.early_stopping.patience=3",
        "Logging.name=my run",
    ]
    spec = load_spec_text(good_yaml, "s.yaml", overrides, registries=registries)
    NetParams = registries["generator"].get("net").params_cls  # noqa: N806
    ScaleParams = registries["normaliser"].get("scale").params_cls  # noqa: N806
    assert spec.Trainer == {"max_steps": 100}
    optimiser = spec.Training.generator_optimizer
    assert (optimiser.lr, optimiser.betas) == (1e-4, (0.5, 0.99))
    assert spec.Data.pin_memory is True
    assert spec.Generator.params == NetParams(n_blocks=2)  # the whole mapping is replaced
    assert spec.Losses[0].weight == 0.5
    assert spec.Normalisation.lr is not None
    assert spec.Normalisation.lr.params == ScaleParams()
    assert spec.Callbacks.early_stopping is not None
    assert spec.Callbacks.early_stopping.patience == 3
    assert spec.Logging.name == "my run"


def test_null_and_replaced_sections(good_yaml: str, registries: Registries) -> None:
    overrides = ["Discriminator=null", "Losses=[{name: l1, weight: 2}]"]
    spec = load_spec_text(good_yaml, "s.yaml", overrides, registries=registries)
    assert spec.Discriminator is None
    assert [(term.name, term.weight) for term in spec.Losses] == [("l1", 2.0)]


def test_later_overrides_win(good_yaml: str, registries: Registries) -> None:
    overrides = ["Generator.params.n_blocks=x", "Generator.params={n_blocks: 3}"]
    spec = load_spec_text(good_yaml, "s.yaml", overrides, registries=registries)
    assert spec.Generator.params.n_blocks == 3


def test_problems_in_overridden_values_name_the_override(good_yaml: str, problems: Any) -> None:
    assert problems(
        good_yaml,
        "Generator.params.n_blocks=16x",
        "Generator.params.kernel_size=4",
        "Data.scale=four",
    ) == [
        "--set Generator.params.n_blocks=16x: Generator.params.n_blocks: expected int, got '16x'",
        "--set Generator.params.kernel_size=4: Generator.params.kernel_size: must be odd, got 4",
        "--set Data.scale=four: Data.scale: expected int, got 'four'",
    ]


def test_problems_inside_an_overridden_mapping_name_the_override(
    good_yaml: str, problems: Any
) -> None:
    assert problems(good_yaml, "Generator.params={n_blcks: 2}", "Normalisation.lr.params={}") == [
        "--set Generator.params={n_blcks: 2}: Generator.params: unknown key 'n_blcks'; "
        "did you mean 'n_blocks'?",
        "--set Normalisation.lr.params={}: Normalisation.lr: missing required key 'name'",
    ]


def test_file_problems_keep_their_position_beside_overrides(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("channels: 3", "channels: three")
    assert problems(text, "Trainer.max_steps=false") == [
        "s.yaml:5:13: Data.channels: expected int, got 'three'",
        "--set Trainer.max_steps=false: Trainer.max_steps: expected int, got false",
    ]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("Data.scale", "--set Data.scale: expected Key.path=value, found no '='"),
        ("=3", "--set =3: expected Key.path=value, found an empty key"),
        ("Data..scale=3", "--set Data..scale=3: Data..scale: empty segment in the key path"),
        (
            "Losses.9.weight=1",
            "--set Losses.9.weight=1: Losses: index 9 out of range: the list has 2 items",
        ),
        (
            "Losses.first.weight=1",
            "--set Losses.first.weight=1: Losses: is a list: expected an item index, got 'first'",
        ),
        (
            "Data.scale.x=1",
            "--set Data.scale.x=1: Data.scale: is 4, not a mapping or a list: cannot set 'x' in it",
        ),
        (
            "Data.params=[1, 2",
            "--set Data.params=[1, 2: Data.params: value is not valid YAML: "
            "expected ',' or ']', but got '<stream end>'",
        ),
    ],
)
def test_malformed_overrides(good_yaml: str, problems: Any, override: str, message: str) -> None:
    assert problems(good_yaml, override) == [message]


def test_malformed_overrides_are_reported_with_file_problems(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("scale: 4", "scale: 4.0")
    assert problems(text, "oops") == [
        "s.yaml:6:10: Data.scale: expected int, got 4.0",
        "--set oops: expected Key.path=value, found no '='",
    ]


def test_apply_records_created_keys() -> None:
    tree: dict[str, Any] = {"A": None, "L": [{"w": 1}]}
    parsed, problems = parse_overrides(["A.b.c=1", "L.0.w=2", "A.b.d=x"])
    origins, failed = apply_overrides(tree, parsed)
    assert problems == failed == []
    assert tree == {"A": {"b": {"c": 1, "d": "x"}}, "L": [{"w": 2}]}
    assert origins == {
        ("A",): "--set A.b.c=1",
        ("A", "b"): "--set A.b.c=1",
        ("A", "b", "c"): "--set A.b.c=1",
        ("L", 0, "w"): "--set L.0.w=2",
        ("A", "b", "d"): "--set A.b.d=x",
    }


@given(
    st.one_of(
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
        st.lists(st.integers(), max_size=3),
    )
)
def test_override_values_are_read_as_yaml(value: Any) -> None:
    text = json.dumps(value)  # JSON is YAML 1.2
    [override], problems = parse_overrides([f"A.b={text}"])
    assert problems == []
    assert override.path == ("A", "b")
    assert override.value == value
    assert type(override.value) is type(value)
