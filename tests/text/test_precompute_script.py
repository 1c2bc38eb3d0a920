"""``scripts/precompute_embeddings.py`` writes files the ``precomputed`` encoder reads back."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch

from gan_engine.data.prompts.corpus import PHOTO_PROMPTS
from gan_engine.text.byte_encoder import ByteEncoderParams, ByteTextEncoder
from gan_engine.text.precomputed import PrecomputedParams, PrecomputedTextEncoder

SCRIPT = Path(__file__).parents[2] / "scripts" / "precompute_embeddings.py"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("precompute_embeddings", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_by_prompt_equals_the_encoder_run_live(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"e{suffix}"
    assert (
        script().main([str(out), "--corpus", "photos", "--random-bytes", "3", "--width", "8"]) == 0
    )
    torch.manual_seed(3)
    live = ByteTextEncoder(ByteEncoderParams(width=8, embedding_dim=8)).eval()
    stored = PrecomputedTextEncoder(PrecomputedParams(path=str(out), embedding_dim=8))
    prompts = [PHOTO_PROMPTS["chelsea"], "", PHOTO_PROMPTS["rocket"]]
    with torch.no_grad():
        expected, got = live.encode(prompts), stored.encode(prompts)
    assert expected.embedding is not None
    assert got.embedding is not None
    assert got.token_mask is not None
    assert expected.token_mask is not None
    torch.testing.assert_close(got.embedding, expected.embedding)
    assert got.token_mask.sum(1).tolist() == expected.token_mask.sum(1).tolist()
    stored.check_keys(PHOTO_PROMPTS.values(), "the sample corpus")


def test_by_id(tmp_path: Path) -> None:
    out = tmp_path / "e.safetensors"
    assert (
        script().main([str(out), "--corpus", "photos", "--random-bytes", "0", "--key", "id"]) == 0
    )
    stored = PrecomputedTextEncoder(PrecomputedParams(path=str(out), key="id"))
    stored.check_keys(PHOTO_PROMPTS, "the sample photos")


def test_user_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "e.safetensors")
    assert script().main([out, "--corpus", "mri", "--random-bytes", "0", "--key", "id"]) == 2
    assert "use --key prompt" in capsys.readouterr().err
    missing = str(tmp_path / "none.jsonl")
    assert script().main([out, "--manifest", missing, "--random-bytes", "0"]) == 2
    assert "not found" in capsys.readouterr().err
    assert "precompute_embeddings" not in sys.modules
