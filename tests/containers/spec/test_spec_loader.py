from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from containers.spec import SpecError, load_spec, load_spec_text, spec_from_dict
from containers.spec.schema import Spec
from gan_engine.registry import NoParams, Registry

Registries = dict[str, Registry[Any]]


def params_cls(registries: Registries, kind: str, name: str) -> Any:
    return registries[kind].get(name).params_cls


def test_a_good_spec_has_every_params_structured(good_yaml: str, registries: Registries) -> None:
    spec = load_spec_text(good_yaml, "s.yaml", registries=registries)
    NetParams = params_cls(registries, "generator", "net")  # noqa: N806
    PhotosParams = params_cls(registries, "dataset", "photos")  # noqa: N806
    assert isinstance(spec, Spec)
    assert spec.Generator.params == NetParams(n_blocks=4, n_features=48)
    assert spec.Data.params == PhotosParams(patch_size=48)
    assert spec.Discriminator is not None
    assert spec.Discriminator.params.n_layers == 4
    assert [term.params for term in spec.Losses] == [NoParams(), NoParams()]
    assert spec.Losses[1].weight == 0.001
    assert spec.Normalisation.name == "identity"
    assert spec.Normalisation.params == NoParams()
    assert spec.Trainer == {"max_steps": 10}
    assert type(spec.Trainer) is dict


def test_misspelled_key_points_at_the_key_with_a_suggestion(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("    n_blocks: 4", "    n_blcks: 4").replace(
        "  scale: 4", "  scael: 4"
    )
    assert problems(text) == [
        "s.yaml:6:3: Data: unknown key 'scael'; did you mean 'scale'?",
        "s.yaml:10:5: Generator.params: unknown key 'n_blcks'; did you mean 'n_blocks'?",
    ]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(
    good_yaml: str, problems: Any
) -> None:
    assert problems(good_yaml.replace("  name: disc", "  name: disc\n  zzz: 1")) == [
        "s.yaml:14:3: Discriminator: unknown key 'zzz'; allowed keys: name, params"
    ]


def test_wrong_scalar_types_point_at_the_value(good_yaml: str, problems: Any) -> None:
    text = (
        good_yaml.replace("n_blocks: 4", "n_blocks: '16x'")
        .replace("channels: 3", "channels: true")
        .replace("weight: 0.001", "weight: yes")
    )
    assert problems(text) == [
        "s.yaml:5:13: Data.channels: expected int, got true",
        "s.yaml:10:15: Generator.params.n_blocks: expected int, got '16x'",
        "s.yaml:17:13: Losses.1.weight: expected float, got 'yes'",
    ]


def test_float_for_an_int_and_literal_mismatch(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("  scale: 4", "  scale: 4.7\n  dimensions: 4d")
    assert problems(text) == [
        "s.yaml:6:10: Data.scale: expected int, got 4.7",
        "s.yaml:7:15: Data.dimensions: expected one of '2d', '3d', got '4d'",
    ]


def test_missing_required_keys_point_at_the_parent_key(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("  dataset: photos\n", "").replace(
        "  - name: l1\n", "  - weight: 1.0\n"
    )
    assert problems(text) == [
        "s.yaml:1:1: Data: missing required key 'dataset'",
        "s.yaml:14:5: Losses.0: missing required key 'name'",
    ]


def test_missing_top_level_section_has_no_position(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("Generator:\n  name: net\n", "Generatr:\n  name: net\n")
    assert problems(text) == [
        "s.yaml:7:1: unknown key 'Generatr'; did you mean 'Generator'?",
        "s.yaml: missing required key 'Generator'",
    ]


def test_validator_failures_are_all_reported_at_their_values(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("n_blocks: 4", "n_blocks: 0\n    kernel_size: 4").replace(
        "  scale: 4", "  scale: 4\n  batch_size: 0\n  num_workers: -1"
    )
    assert problems(text) == [
        "s.yaml:7:15: Data.batch_size: must be >= 1, got 0",
        "s.yaml:8:16: Data.num_workers: must be >= 0, got -1",
        "s.yaml:12:15: Generator.params.n_blocks: must be >= 1, got 0",
        "s.yaml:13:18: Generator.params.kernel_size: must be odd, got 4",
    ]


def test_validators_still_run_beside_a_type_error(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("  scale: 4", "  scale: x4\n  batch_size: 0")
    assert problems(text) == [
        "s.yaml:6:10: Data.scale: expected int, got 'x4'",
        "s.yaml:7:15: Data.batch_size: must be >= 1, got 0",
    ]


def test_nested_schema_paths(good_yaml: str, problems: Any) -> None:
    text = good_yaml + (
        "Training:\n"
        "  generator_optimizer:\n"
        "    lr: 2.0\n"
        "    betas: [0.9, nine]\n"
        "Callbacks:\n"
        "  early_stopping: {mode: maximum}\n"
    )
    assert problems(text) == [
        "s.yaml:22:9: Training.generator_optimizer.lr: must be in (0.0, 1.0], got 2.0",
        "s.yaml:23:18: Training.generator_optimizer.betas.1: expected float, got 'nine'",
        "s.yaml:25:26: Callbacks.early_stopping.mode: expected one of 'min', 'max', got 'maximum'",
    ]


def test_several_problems_across_passes_are_reported_together_sorted(
    good_yaml: str, problems: Any
) -> None:
    text = (
        good_yaml.replace("name: net", "name: nett")
        .replace("  channels: 3", "  channels: 3\n  pin_memory: 1")
        .replace("  max_steps: 10", "  max_steps: 10\n  max_step: 10")
    )
    lines = problems(text)
    assert lines == [
        "s.yaml:6:15: Data.pin_memory: expected bool (true or false), got 1",
        "s.yaml:9:9: Generator.name: unknown generator 'nett' (did you mean 'net'?); "
        "registered: net, volnet",
        "s.yaml:21:3: Trainer: unknown key 'max_step': not an argument of "
        "lightning.pytorch.Trainer; did you mean 'max_steps'?",
    ]


def test_yaml_syntax_error_is_positioned(problems: Any) -> None:
    assert problems("Data:\n  dataset: [photos\nGenerator: {}\n") == [
        "s.yaml:3:10: expected ',' or ']', but got ':' (while parsing a flow sequence at 2:12)"
    ]


def test_duplicate_key_is_a_positioned_error(good_yaml: str, problems: Any) -> None:
    lines = problems(good_yaml.replace("  scale: 4", "  scale: 4\n  scale: 2"))
    assert lines == ['s.yaml:7:3: found duplicate key "scale" with value "2" (original value: "4")']


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "s.yaml: the spec is empty; expected sections "),
        ("- Data\n", "s.yaml:1:1: expected a mapping of sections (Data, Generator, Losses"),
        ("just text\n", "s.yaml: expected a mapping of sections (Data, "),
    ],
)
def test_top_level_must_be_a_mapping(text: str, message: str, problems: Any) -> None:
    [line] = problems(text)
    assert line.startswith(message)


def test_missing_file_and_directory(tmp_path: Path, registries: Registries) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SpecError) as caught:
        load_spec(missing, registries=registries)
    assert str(caught.value) == f"{missing}: spec file not found"
    with pytest.raises(SpecError) as caught:
        load_spec(tmp_path, registries=registries)
    assert str(caught.value) == f"{tmp_path}: is a directory, expected a YAML spec file"


def test_relative_missing_file_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registries: Registries
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError) as caught:
        load_spec("specs/x.yaml", registries=registries)
    [problem] = caught.value.problems
    assert (problem.source, problem.line) == ("specs/x.yaml", None)
    assert problem.message == f"spec file not found (looked in {tmp_path})"


def test_load_spec_reads_a_file(tmp_path: Path, good_yaml: str, registries: Registries) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(good_yaml.replace("n_blocks: 4", "n_blocks: 4x"))
    with pytest.raises(SpecError) as caught:
        load_spec(path, registries=registries)
    assert str(caught.value) == f"{path}:10:15: Generator.params.n_blocks: expected int, got '4x'"
    path.write_text(good_yaml)
    assert load_spec(str(path), registries=registries).Generator.params.n_blocks == 4


def test_spec_from_dict_validates_the_same_way_without_positions(registries: Registries) -> None:
    data = {
        "Data": {"dataset": "photos", "channels": "3"},
        "Generator": {"name": "net", "params": {"n_blocks": True}},
        "Losses": [{"name": "l1"}],
    }
    with pytest.raises(SpecError) as caught:
        spec_from_dict(data, registries=registries)
    assert str(caught.value).splitlines() == [
        "<dict>: Data.channels: expected int, got '3'",
        "<dict>: Generator.params.n_blocks: expected int, got true",
    ]
    NetParams = params_cls(registries, "generator", "net")  # noqa: N806
    data["Data"] = {"dataset": "photos"}
    data["Generator"] = {"name": "net", "params": NetParams(n_blocks=2)}
    spec = spec_from_dict(data, registries=registries)
    assert spec.Generator.params == NetParams(n_blocks=2)
    assert data["Generator"]["params"] == NetParams(n_blocks=2)  # the input is not modified


def test_spec_from_dict_rejects_a_non_mapping(registries: Registries) -> None:
    with pytest.raises(SpecError) as caught:
        spec_from_dict([1], registries=registries)  # type: ignore[arg-type]
    assert str(caught.value).startswith("<dict>: expected a mapping of sections (Data, ")


def test_spec_from_dict_accepts_tuples_and_checks_structured_params(
    registries: Registries,
) -> None:
    photos = params_cls(registries, "dataset", "photos")
    data: dict[str, Any] = {
        "Data": {"dataset": "photos"},
        "Generator": {"name": "net"},
        "Losses": ({"name": "l1", "params": {}},),
    }
    spec = spec_from_dict(data, registries=registries)
    assert spec.Losses[0].params == NoParams()
    data["Generator"] = {"name": "net", "params": photos()}
    with pytest.raises(SpecError) as caught:
        spec_from_dict(data, registries=registries)
    assert str(caught.value) == (
        "<dict>: Generator.params: expected a mapping or NetParams, got PhotosParams"
    )
