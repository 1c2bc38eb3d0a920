"""A Predictor from a real training checkpoint: the spec inside rebuilds the model; EMA wins."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from containers.application import ApplicationContainer
from containers.predict import load_model, load_predictor
from containers.spec.loader import spec_from_dict
from gan_engine.inference.checkpoint import EMA_KEY, read_checkpoint
from gan_engine.inference.errors import CheckpointError, InputError
from gan_engine.training.module import CHECKPOINT_KEY


def _photo(height: int = 40, width: int = 52) -> np.ndarray:
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    channels = [127 + 100 * np.sin(rows / (4 + c)) * np.cos(cols / (6 + c)) for c in range(3)]
    return np.stack(channels).astype(np.uint8)


def test_predictor_rebuilds_the_trained_model_from_the_checkpoint_alone(checkpoint: Path) -> None:
    state = torch.load(checkpoint, weights_only=True)
    predictor = load_predictor(checkpoint)
    assert predictor.scale == 4
    assert predictor.in_channels == 3
    assert predictor.tiling.mode == "centre"
    assert predictor.tiling.overlap == predictor.receptive_field
    raw = {
        k[len("generator.") :]: v
        for k, v in state["state_dict"].items()
        if k.startswith("generator.")
    }
    weights = state[CHECKPOINT_KEY].get(EMA_KEY) or raw  # the EMA generator when the run kept one
    for key, value in predictor.model.generator.state_dict().items():
        torch.testing.assert_close(value, weights[key])
    for key, value in predictor.model.normaliser.state_dict().items():
        torch.testing.assert_close(value, state["state_dict"][f"normaliser.{key}"])

    photo = _photo()
    result = predictor.predict(photo)
    assert result.dtype == np.uint8
    assert result.shape == (3, 160, 208)
    # the same as the training module's own predict_step on the whole image
    spec = spec_from_dict(state[CHECKPOINT_KEY]["spec"])
    module = ApplicationContainer(spec=spec, run_dir=checkpoint.parent).training.module()
    module.load_state_dict(state["state_dict"])
    module.generator.load_state_dict(weights)
    module.eval()
    with torch.no_grad():
        expected = module.predict_step({"lr": torch.from_numpy(photo).float()[None]}, 0)[0]
    rounded = np.clip(np.rint(expected.numpy()), 0, 255)
    assert np.abs(result.astype(int) - rounded).max() <= 1


def test_ema_weights_are_used_when_the_checkpoint_has_them(
    checkpoint: Path, tmp_path: Path
) -> None:
    state = torch.load(checkpoint, weights_only=True)
    raw = {
        k[len("generator.") :]: v
        for k, v in state["state_dict"].items()
        if k.startswith("generator.")
    }
    ema = {
        key: value * 0.5 if key == "tail.weight" else value.clone() for key, value in raw.items()
    }
    state[CHECKPOINT_KEY][EMA_KEY] = ema
    with_ema = tmp_path / "ema.ckpt"
    torch.save(state, with_ema)

    contents = read_checkpoint(with_ema)
    assert contents.ema
    model = load_model(with_ema)
    torch.testing.assert_close(model.generator.state_dict()["tail.weight"], ema["tail.weight"])
    photo = _photo(24, 24)
    assert not np.array_equal(
        load_predictor(with_ema).predict(photo), load_predictor(checkpoint).predict(photo)
    )


def test_foreign_files_are_not_gan_engine_checkpoints(tmp_path: Path) -> None:
    plain = tmp_path / "plain.ckpt"
    torch.save({"state_dict": {"generator.w": torch.zeros(1)}}, plain)
    with pytest.raises(CheckpointError, match="not a GAN-Engine checkpoint"):
        read_checkpoint(plain)
    garbage = tmp_path / "garbage.ckpt"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        read_checkpoint(garbage)
    with pytest.raises(CheckpointError, match="does not exist"):
        read_checkpoint(tmp_path / "missing.ckpt")


def test_inputs_that_do_not_fit_the_model_are_clear_errors(
    checkpoint: Path, tmp_path: Path
) -> None:
    predictor = load_predictor(checkpoint)
    with pytest.raises(InputError, match=r"has 1 band\(s\).*takes 3"):
        predictor.predict(np.zeros((1, 20, 20), dtype=np.uint8))
    with pytest.raises(InputError, match="spatial axes"):
        predictor.predict(np.zeros((3, 2, 2, 20, 20), dtype=np.uint8))
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG not really")
    with pytest.raises(InputError, match="cannot read image"):
        predictor.predict_file(bad, tmp_path / "out.png")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="unsupported file type"):
        predictor.predict_file(tmp_path / "notes.txt", tmp_path / "o.txt")
