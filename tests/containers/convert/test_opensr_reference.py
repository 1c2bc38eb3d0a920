"""Converted opensr-srgan models reproduce the real package's outputs (fixtures, 1e-5 in fp32)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from containers.convert.notes import Notes
from containers.convert.opensr_normalisation import METHODS, map_normalisation
from containers.convert.opensr_run import convert_opensr
from containers.predict import load_model
from gan_engine.normalisers.scale import (
    FixedScaleNormaliser,
    FixedScaleParams,
    IdentityNormaliser,
    MinMaxNormaliser,
    MinMaxParams,
)
from gan_engine.protocols import Normaliser
from gan_engine.types import Conditioning
from tests.containers.convert.conftest import CASES, FIXTURES


@pytest.mark.parametrize("case", CASES)
def test_converted_checkpoint_reproduces_opensr_outputs(case: str, tmp_path: Path) -> None:
    report = convert_opensr(FIXTURES / f"{case}.yaml", FIXTURES / f"{case}.ckpt", tmp_path)
    assert report.checkpoint_path is not None
    model = load_model(report.checkpoint_path)
    io = torch.load(FIXTURES / f"{case}.io.pt", weights_only=True)
    generator = model.generator
    assert isinstance(generator, torch.nn.Module)
    generator.eval()
    cond = Conditioning(latent=io["noise"]) if "noise" in io else None
    with torch.no_grad():
        sr = generator(io["lr"], cond)
    assert sr.shape == io["sr"].shape
    torch.testing.assert_close(sr, io["sr"], rtol=0, atol=1e-5)
    assert model.contents.ema == (case == "flexible_rcab")


def test_ema_weights_are_the_ones_predict_uses(tmp_path: Path) -> None:
    report = convert_opensr(
        FIXTURES / "flexible_rcab.yaml", FIXTURES / "flexible_rcab.ckpt", tmp_path
    )
    assert report.checkpoint_path is not None
    saved = torch.load(report.checkpoint_path, weights_only=True)
    live = saved["state_dict"]["generator.head.0.weight"]
    ema = saved["gan_engine"]["ema_generator"]["head.0.weight"]
    source = torch.load(FIXTURES / "flexible_rcab.ckpt", weights_only=True)
    torch.testing.assert_close(live, source["state_dict"]["generator.head.0.weight"])
    torch.testing.assert_close(ema, source["ema_state"]["shadow_params"]["head.0.weight"])
    assert not torch.equal(live, ema)


def _normaliser(section: dict[str, object]) -> Normaliser:
    params = section["params"]
    assert isinstance(params, dict)
    if section["name"] == "minmax":
        return MinMaxNormaliser(4, MinMaxParams(**params))
    if section["name"] == "fixed_scale":
        return FixedScaleNormaliser(4, FixedScaleParams(**params))
    assert section["name"] == "identity"
    return IdentityNormaliser(4)


@pytest.mark.parametrize("method", [m for m in METHODS if m != "normalise_s2"])
def test_normalisers_match_opensr_wherever_opensr_does_not_clamp(method: str) -> None:
    reference = torch.load(FIXTURES / "normalisers.pt", weights_only=True)
    notes = Notes()
    normaliser = _normaliser(map_normalisation(method, notes).section)
    source = reference["raw"] if "10k" in method else reference["unit"]
    forward = normaliser.normalise(source, "lr")
    expected = reference[f"{method}.normalise"]
    # opensr clamps (and sen2_stretch saturates); GAN-Engine is the unclipped affine map
    inside = (expected > expected.min()) & (expected < expected.max())
    assert inside.float().mean() > 0.15
    torch.testing.assert_close(forward[inside], expected[inside], rtol=1e-6, atol=1e-5)
    outputs = reference["signed"] if "signed" in method else reference["unit"]
    back = normaliser.denormalise(outputs, "hr")
    expected_back = reference[f"{method}.denormalise"]
    inside = (expected_back > expected_back.min()) & (expected_back < expected_back.max())
    torch.testing.assert_close(back[inside], expected_back[inside], rtol=1e-6, atol=1e-3)
    assert [note.kind for note in notes.items] == ([] if method == "identity" else ["approximated"])


def test_training_parts_of_a_checkpoint_are_noted_not_converted(tmp_path: Path) -> None:
    saved = torch.load(FIXTURES / "flexible_res.ckpt", weights_only=True)
    saved["state_dict"]["discriminator.conv.weight"] = torch.zeros(2, 4, 3, 3)
    saved["optimizer_states"] = [{"state": {}, "param_groups": [{"lr": 1e-4}]}]
    path = tmp_path / "trained.ckpt"
    torch.save(saved, path)
    report = convert_opensr(FIXTURES / "flexible_res.yaml", path, tmp_path / "out")
    notes = {note.key: note for note in report.notes.items}
    assert notes["checkpoint discriminator.*"].kind == "ignored"
    assert report.checkpoint_path is not None
    converted = torch.load(report.checkpoint_path, weights_only=True)["state_dict"]
    assert not any(key.startswith("discriminator.") for key in converted)
    assert any(key.startswith("normaliser.") for key in converted)
