from __future__ import annotations

from typing import Any

import pytest

from containers.spec import load_spec_text
from containers.spec.trainer_args import check_trainer_args
from gan_engine.registry import Registry


def messages(section: dict[str, Any]) -> list[str]:
    return [f"{'.'.join(map(str, i.path))}: {i.message}" for i in check_trainer_args(section)]


def test_plain_trainer_arguments_pass() -> None:
    section = {
        "max_steps": 10,
        "max_epochs": None,
        "limit_val_batches": 0.5,
        "limit_train_batches": 3,
        "accelerator": "cpu",
        "devices": [0, 1],
        "deterministic": "warn",
        "max_time": {"hours": 1},
        "val_check_interval": 1.0,
        "enable_progress_bar": False,
        "plugins": None,
    }
    assert messages(section) == []


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("max_steps", True, "expected int, got true"),
        ("max_steps", 1.5, "expected int, got 1.5"),
        ("max_epochs", "ten", "expected int or null, got 'ten'"),
        ("limit_val_batches", "all", "expected int, float or null, got 'all'"),
        ("accelerator", 3, "expected str, got 3"),
        (
            "deterministic",
            "always",
            "expected bool (true or false), one of 'warn' or null, got 'always'",
        ),
        ("devices", [0, "1"], "expected a list of int, str or int, got a list"),
        ("enable_progress_bar", "no", "expected bool (true or false) or null, got 'no'"),
    ],
)
def test_values_are_checked_strictly(key: str, value: Any, message: str) -> None:
    assert messages({key: value}) == [f"Trainer.{key}: {message}"]


@pytest.mark.parametrize(
    ("key", "where"),
    [
        ("logger", "set by the engine: use Logging.logger"),
        ("callbacks", "set by the engine: use the Callbacks section"),
        ("precision", "set by the engine: use Training.precision"),
        ("default_root_dir", "set by the engine: use Logging.run_root"),
        ("enable_checkpointing", "set by the engine: use Callbacks.checkpoint"),
    ],
)
def test_engine_owned_arguments_say_where_they_belong(key: str, where: str) -> None:
    assert messages({key: None}) == [f"Trainer.{key}: {where}"]


@pytest.mark.parametrize("key", ["gradient_clip_val", "gradient_clip_algorithm"])
def test_trainer_clipping_points_to_the_training_setting(key: str) -> None:
    assert messages({key: 1}) == [
        f"Trainer.{key}: not available with the GAN module's manual optimisation: "
        "use Training.gradient_clip (per network, unscaled first under mixed precision)"
    ]


def test_accumulation_is_unavailable() -> None:
    assert messages({"accumulate_grad_batches": 2}) == [
        "Trainer.accumulate_grad_batches: not available with the GAN module's manual "
        "optimisation: use Training.accumulate_batches"
    ]


def test_unknown_and_reserved_keys_are_positioned(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("  max_steps: 10", "  max_step: 10\n  logger: false\n  frobnicate: 1")
    assert problems(text) == [
        "s.yaml:19:3: Trainer: unknown key 'max_step': not an argument of "
        "lightning.pytorch.Trainer; did you mean 'max_steps'?",
        "s.yaml:20:3: Trainer.logger: set by the engine: use Logging.logger",
        "s.yaml:21:3: Trainer: unknown key 'frobnicate': not an argument of "
        "lightning.pytorch.Trainer",
    ]


def test_value_problems_point_at_the_value(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("  max_steps: 10", "  max_steps: yes")
    assert problems(text) == ["s.yaml:19:14: Trainer.max_steps: expected int, got 'yes'"]


def test_trainer_section_must_be_a_mapping(good_yaml: str, problems: Any) -> None:
    text = good_yaml.replace("Trainer:\n  max_steps: 10\n", "Trainer: [max_steps]\n")
    assert problems(text) == ["s.yaml:18:10: Trainer: expected a mapping, got a list"]


def test_valid_trainer_values_reach_the_spec(
    good_yaml: str, registries: dict[str, Registry[Any]]
) -> None:
    text = good_yaml + "  limit_val_batches: 0.25\n  accelerator: cpu\n"
    spec = load_spec_text(text, "s.yaml", registries=registries)
    assert spec.Trainer == {"max_steps": 10, "limit_val_batches": 0.25, "accelerator": "cpu"}
