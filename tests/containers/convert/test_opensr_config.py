"""opensr-srgan config → spec: every key carried over or noted, legacy aliases, clear refusals."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from containers.convert.notes import ConversionError
from containers.convert.opensr_config import convert_config
from containers.spec.loader import spec_from_dict
from tests.containers.convert.conftest import CASES, FIXTURES


def _config(case: str = "flexible_res") -> dict[str, Any]:
    loaded = yaml.safe_load((FIXTURES / f"{case}.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize("case", CASES)
def test_every_fixture_config_converts_to_a_valid_spec(case: str) -> None:
    converted = convert_config(_config(case), case)
    spec = spec_from_dict(converted.spec, source=case)
    assert spec.Data.channels == 4
    assert spec.Data.scale == _config(case)["Generator"]["scaling_factor"]


def test_unknown_keys_are_listed_with_a_reason_never_dropped() -> None:
    config = _config()
    config["Generator"]["attention_heads"] = 4
    config["Data"]["cache"] = True
    config["Extras"] = {"a": 1}
    notes = {note.key: note for note in convert_config(config).notes.items}
    for key in ("Generator.attention_heads", "Data.cache", "Extras"):
        assert notes[key].kind == "ignored"
        assert "not a" in notes[key].reason
    # keys opensr itself ignores for this layout say so
    assert "ignores it" in notes["Discriminator.linear_size"].reason


def test_legacy_aliases_are_read() -> None:
    config = _config()
    config["Generator"] = {
        "model_type": "rcab",
        "n_channels": 32,
        "n_blocks": 1,
        "scaling_factor": 2,
    }
    data = config["Data"]
    data["batch_size"] = data.pop("train_batch_size")
    del data["val_batch_size"]
    config["Training"]["perceptual_loss_weight"] = 0.3
    del config["Training"]["Losses"]["perceptual_weight"]
    config["Schedulers"]["metric"] = config["Schedulers"].pop("metric_g")
    del config["Schedulers"]["metric_d"]
    spec = convert_config(config).spec
    assert spec["Generator"]["params"]["block"] == "rcab"
    assert spec["Data"]["batch_size"] == spec["Data"]["val_batch_size"] == 2
    vgg = [term for term in spec["Losses"] if term["name"] == "vgg"]
    assert [term["weight"] for term in vgg] == [0.3]
    assert spec["Training"]["generator_scheduler"]["monitor"] == "val/psnr"


def test_sen2_stretch_is_converted_with_its_stated_approximation() -> None:
    config = _config()
    del config["Data"]["normalization"]  # opensr's default
    converted = convert_config(config)
    assert converted.spec["Normalisation"] == {
        "name": "fixed_scale",
        "params": {"scale": [0.3], "offset": [0.0]},
    }
    reasons = [note.reason for note in converted.notes.items if "normalization" in note.key]
    assert any("not invertible" in reason for reason in reasons)


def test_custom_normalisation_and_unknown_generators_are_refused() -> None:
    config = _config()
    config["Data"]["normalization"] = {"name": "custom", "normalize": "pkg:fn"}
    with pytest.raises(ConversionError, match="custom normalisation"):
        convert_config(config)
    config = _config()
    config["Generator"]["block_type"] = "swin"
    with pytest.raises(ConversionError, match=r"Generator\.block_type: unknown"):
        convert_config(config)


def test_wasserstein_and_endless_pretraining_are_noted_substitutions() -> None:
    config = copy.deepcopy(_config())
    config["Training"]["Losses"]["adv_loss_type"] = "wasserstein"
    converted = convert_config(config)
    assert "hinge" in [term["name"] for term in converted.spec["Losses"]]
    config["Training"]["g_pretrain_steps"] = -1
    converted = convert_config(config)
    assert converted.spec["Discriminator"] is None
    assert all(term["name"] not in ("hinge", "bce") for term in converted.spec["Losses"])
    spec_from_dict(converted.spec)


@pytest.mark.parametrize(
    ("written", "expected"), [(16, "16-mixed"), ("bf16", "bf16-mixed"), (32, "32")]
)
def test_overview_precision_spellings_are_mapped(written: object, expected: str) -> None:
    config = _config()
    config["Training"]["precision"] = written
    spec = convert_config(config).spec
    assert spec["Training"]["precision"] == expected
    spec_from_dict(spec)
