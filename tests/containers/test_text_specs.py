"""The text-guided specs train through the real CLI; the trainable encoder resumes bit-exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from containers.cli.main import main
from gan_engine.text.embedding_files import read_embedding_file, write_embedding_file
from gan_engine.training.module import CHECKPOINT_KEY

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO / "specs" / "text_sr_photos.yaml"
PRECOMPUTED = REPO / "specs" / "text_sr_precomputed.yaml"
EMBEDDINGS = REPO / "specs" / "data" / "sample_photos_embeddings.safetensors"

# Two batches of two 32-px crops per epoch and tiny networks: the specs' code path, fast.
FAST = [
    "Data.params.patch_size=32",
    "Data.params.val_patch_size=64",
    "Data.params.samples_per_epoch=4",
    "Data.batch_size=2",
    "Data.val_batch_size=2",
    "Discriminator.params={base_channels: 8, n_blocks: 2, head_channels: 16}",
    "Training.pretrain_steps=1",
    "Trainer.max_epochs=1",
    "Trainer.limit_val_batches=1",
    "Trainer.enable_progress_bar=false",
    "Trainer.enable_model_summary=false",
]
SMALL_GENERATOR = "n_channels: 8, n_blocks: 1, style_channels: 8, attention_heads: 2"
PHOTOS_FAST = [
    *FAST,
    f"Generator.params={{{SMALL_GENERATOR}, embedding_dim: 8, token_dim: 8}}",
    "Task.params.encoder.params={width: 8, embedding_dim: 8, layers: 1, heads: 2}",
]
PRECOMPUTED_FAST = [
    *FAST,
    f"Generator.params={{{SMALL_GENERATOR}, embedding_dim: 32, token_dim: 32}}",
]


def train(spec: Path, overrides: list[str], *extra: str) -> int:
    args = ["train", str(spec), *extra]
    for override in overrides:
        args += ["--set", override]
    return main(args)


def last_checkpoint(root: Path) -> dict[str, object]:
    loaded: dict[str, object] = torch.load(
        next(root.glob("*/*/checkpoints/last.ckpt")), weights_only=True
    )
    return loaded


def weights(checkpoint: dict[str, object], prefix: str) -> dict[str, torch.Tensor]:
    state = checkpoint["state_dict"]
    assert isinstance(state, dict)
    return {k: v for k, v in state.items() if k.startswith(prefix)}


def test_both_specs_check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)  # the precomputed spec names its file relative to the repository
    for spec in (PHOTOS, PRECOMPUTED):
        assert main(["check", str(spec)]) == 0, capsys.readouterr().err


def test_photos_spec_trains_its_encoder_and_resumes_bit_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    whole, split = tmp_path / "whole", tmp_path / "split"
    base = [*PHOTOS_FAST, "Data.params.prompt_dropout=0.5"]
    assert train(PHOTOS, [*base, "Trainer.max_epochs=2", f"Logging.run_root={whole}"]) == 0
    assert train(PHOTOS, [*base, f"Logging.run_root={split}"]) == 0
    first = last_checkpoint(split)
    assert (
        train(
            PHOTOS, [*base, "Trainer.max_epochs=2", f"Logging.run_root={split}"], "--resume", "last"
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Validation PSNR after 4 generator steps" in out

    straight, resumed = last_checkpoint(whole), last_checkpoint(split)
    encoder_before = weights(first, "task.encoder.")
    encoder_after = weights(resumed, "task.encoder.")
    assert encoder_after, "the trainable encoder is in the checkpoint"
    assert any(not torch.equal(encoder_before[k], encoder_after[k]) for k in encoder_after)
    for prefix in ("task.encoder.", "generator."):
        a, b = weights(straight, prefix), weights(resumed, prefix)
        assert a.keys() == b.keys()
        assert all(torch.equal(a[k], b[k]) for k in a), prefix
    state = resumed[CHECKPOINT_KEY]
    assert isinstance(state, dict)
    assert state["task"] == "text_super_resolution"


def test_precomputed_spec_trains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    assert train(PRECOMPUTED, [*PRECOMPUTED_FAST, f"Logging.run_root={tmp_path}"]) == 0
    assert "Validation PSNR after 2 generator steps" in capsys.readouterr().out
    assert weights(last_checkpoint(tmp_path), "task.") == {}  # frozen: nothing to save


def test_an_embeddings_file_without_a_prompt_fails_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    table = read_embedding_file(EMBEDDINGS)
    kept = [i for i, key in enumerate(table.keys) if "tabby cat" not in key]
    partial = tmp_path / "partial.safetensors"
    write_embedding_file(
        partial,
        [table.keys[i] for i in kept],
        table.embeddings[kept],
        table.tokens[kept],
        table.token_mask[kept],
    )
    overrides = [
        *PRECOMPUTED_FAST,
        f"Logging.run_root={tmp_path / 'runs'}",
        f"Task.params.encoder.params.path={partial}",
    ]
    assert train(PRECOMPUTED, overrides) == 2
    err = capsys.readouterr().err
    assert "has no entry for the prompt 'a close-up of a tabby cat" in err
    assert str(partial) in err
    assert not (tmp_path / "runs").exists()


def test_a_wrong_width_is_refused_when_the_spec_loads(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    args = ["check", str(PRECOMPUTED), "--set", "Task.params.encoder.params.embedding_dim=64"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Task.params.encoder.params.embedding_dim: the run expects width 64" in err
    assert "holds width 32" in err
    assert err.startswith(
        "--set Task.params.encoder.params.embedding_dim=64: "
    )  # where it came from
