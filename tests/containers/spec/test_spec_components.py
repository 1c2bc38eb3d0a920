from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from containers.spec import load_spec_text
from gan_engine.registry import Registry

Registries = dict[str, Registry[Any]]


def test_unknown_names_with_suggestions(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("name: bce", "name: bse").replace("name: disc", "name: dsc")
    text += "Normalisation:\n  hr:\n    name: scael\n"
    assert problems(text) == [
        "s.yaml:13:9: Discriminator.name: unknown discriminator 'dsc' (did you mean 'disc'?); "
        "registered: disc",
        "s.yaml:16:11: Losses.1.name: unknown loss 'bse' (did you mean 'bce'?); "
        "registered: bce, gan, l1",
        "s.yaml:22:11: Normalisation.hr.name: unknown normaliser 'scael' (did you mean 'scale'?); "
        "registered: identity, scale",
    ]


def test_import_path_names_report_the_import_failure(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("name: net", "name: no_such_module_xyz:Net")
    assert problems(text) == [
        "s.yaml:8:9: Generator.name: cannot import 'no_such_module_xyz' for generator "
        "'no_such_module_xyz:Net': No module named 'no_such_module_xyz'"
    ]


def test_component_params_are_strict_and_positioned(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("  name: disc", "  name: disc\n  params: {n_layers: 0, betas: [1]}")
    text = text.replace("  - name: l1", "  - name: l1\n    params: {reduction: sum}")
    assert problems(text) == [
        "s.yaml:14:22: Discriminator.params.n_layers: must be >= 1, got 0",
        "s.yaml:14:32: Discriminator.params.betas: expected a list of 2 items, got 1 item",
        "s.yaml:17:14: Losses.0.params: unknown key 'reduction'; no keys are allowed here",
    ]


def test_context_check_failures_are_reported_at_the_param(good_yaml: str, problems: Any) -> None:
    assert problems(good_yaml.replace("n_features: 48", "n_features: 50")) == [
        "s.yaml:11:17: Generator.params.n_features: must be a multiple of the 3 channels, got 50"
    ]
    # A default that does not fit the context is reported at the params key.
    text = good_yaml.replace("    n_features: 48\n", "").replace("channels: 3", "channels: 5")
    assert problems(text) == [
        "s.yaml:9:3: Generator.params.n_features: must be a multiple of the 5 channels, got 48"
    ]


def test_capabilities_dims_and_scale(good_yaml: str, problems: Any, registries: Registries) -> None:
    text = good_yaml.replace("  scale: 4", "  scale: 3\n  dimensions: 3d")
    assert problems(text) == [
        "s.yaml:9:9: Generator.name: generator 'net' supports 2d only; Data.dimensions is 3d",
        "s.yaml:9:9: Generator.name: generator 'net' supports scales 2, 4 only; Data.scale is 3",
    ]
    spec = load_spec_text(
        text.replace("name: net", "name: volnet"), "s.yaml", registries=registries
    )
    assert (spec.Data.spatial_dims, spec.Data.scale) == (3, 3)


def test_adversarial_loss_needs_a_discriminator(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("Discriminator:\n  name: disc\n", "Discriminator: null\n")
    assert problems(text) == [
        "s.yaml:15:11: Losses.1.name: loss 'bce' is adversarial and needs a Discriminator section"
    ]


def test_without_discriminator_content_losses_suffice(
    good_yaml: str, registries: Registries
) -> None:
    text = good_yaml.replace("Discriminator:\n  name: disc\n", "")
    text = text.replace("  - name: bce\n    weight: 0.001\n", "")
    spec = load_spec_text(text, "s.yaml", registries=registries)
    assert spec.Discriminator is None
    assert [term.name for term in spec.Losses] == ["l1"]


@pytest.mark.parametrize(
    ("losses", "message"),
    [
        (
            "  - name: l1\n",
            "s.yaml:14:1: Losses: a Discriminator needs exactly one adversarial loss term, "
            "found none (adversarial losses: bce, gan)",
        ),
        (
            "  - name: bce\n  - name: l1\n  - name: gan\n",
            "s.yaml:14:1: Losses: a Discriminator needs exactly one adversarial loss term, "
            "found 2: 'bce' (Losses.0), 'gan' (Losses.2)",
        ),
        ("  []\n", "s.yaml:14:1: Losses: at least one loss term is required"),
    ],
)
def test_loss_roles_with_a_discriminator(
    good_yaml: str, problems: Any, losses: str, message: str
) -> None:
    text = good_yaml.replace("  - name: l1\n  - name: bce\n    weight: 0.001\n", losses)
    assert problems(text) == [message]


def test_pretrained_weights_must_exist(
    good_yaml: str, problems: Any, registries: Registries, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    text = good_yaml.replace("  name: net\n", "  name: net\n  pretrained: weights/g.pt\n")
    resolved = tmp_path / "weights" / "g.pt"
    assert problems(text) == [
        "s.yaml:9:15: Generator.pretrained: pretrained weights file not found: 'weights/g.pt' "
        f"(resolved to {resolved})"
    ]
    resolved.parent.mkdir()
    resolved.write_bytes(b"")
    spec = load_spec_text(text, "s.yaml", registries=registries)
    assert spec.Generator.pretrained == "weights/g.pt"


def test_extra_validation_callables_must_import(
    good_yaml: str, problems: Any, registries: Registries
) -> None:
    items = ["os.path:join", "no_such_module_xyz:f", "os:no_such_attr", "os:sep", "not a path"]
    text = good_yaml + "Callbacks:\n  extra_validation:\n" + "".join(f"    - {i}\n" for i in items)
    assert problems(text) == [
        "s.yaml:23:7: Callbacks.extra_validation.1: cannot import 'no_such_module_xyz': "
        "ModuleNotFoundError: No module named 'no_such_module_xyz'",
        "s.yaml:24:7: Callbacks.extra_validation.2: module 'os' has no attribute 'no_such_attr'",
        "s.yaml:25:7: Callbacks.extra_validation.3: 'os:sep' is not callable (it is str)",
        "s.yaml:26:7: Callbacks.extra_validation.4: expected 'package.module:callable', "
        "got 'not a path'",
    ]
    text = good_yaml + "Callbacks:\n  extra_validation: ['os.path:join']\n"
    spec = load_spec_text(text, "s.yaml", registries=registries)
    assert spec.Callbacks.extra_validation == ["os.path:join"]


def test_normaliser_branches_are_resolved(good_yaml: str, registries: Registries) -> None:
    text = (
        good_yaml + "Normalisation:\n  name: scale\n  params: {factor: 2}\n  lr: {name: identity}\n"
    )
    spec = load_spec_text(text, "s.yaml", registries=registries)
    scale_params = registries["normaliser"].get("scale").params_cls
    assert spec.Normalisation.params == scale_params(factor=2.0)
    assert spec.Normalisation.lr is not None
    assert spec.Normalisation.lr.params == registries["normaliser"].get("identity").params_cls()
    assert spec.Normalisation.hr is None


def test_component_problems_are_reported_beside_schema_problems(
    good_yaml: str, problems: Any
) -> None:
    text = good_yaml.replace("scale: 4", "scale: four").replace("n_blocks: 4", "n_blocks: 0")
    # Data is invalid, so checks needing the run context wait, but params are still validated.
    assert problems(text) == [
        "s.yaml:6:10: Data.scale: expected int, got 'four'",
        "s.yaml:10:15: Generator.params.n_blocks: must be >= 1, got 0",
    ]
