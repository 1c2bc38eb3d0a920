"""``precomputed``: lookups by prompt or id, both file formats, and load-time errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from gan_engine.errors import DataError, InvalidParamError
from gan_engine.text.embedding_files import read_embedding_file, write_embedding_file
from gan_engine.text.precomputed import PrecomputedParams, PrecomputedTextEncoder

KEYS = ["a red house", "a grey cat", "sea"]


def embeddings() -> torch.Tensor:
    return torch.arange(len(KEYS) * 4, dtype=torch.float32).reshape(len(KEYS), 4) + 1


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_both_formats_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"e{suffix}"
    tokens = torch.randn(3, 2, 5)
    mask = torch.tensor([[1, 0], [1, 1], [0, 0]], dtype=torch.bool)
    write_embedding_file(path, KEYS, embeddings(), tokens, mask)
    table = read_embedding_file(path)
    assert table.keys == tuple(KEYS)
    assert torch.equal(table.embeddings, embeddings())
    assert torch.equal(table.tokens, tokens)
    assert torch.equal(table.token_mask, mask)


def test_lookup_by_prompt_and_empty_prompt(tmp_path: Path) -> None:
    path = tmp_path / "e.safetensors"
    write_embedding_file(path, KEYS, embeddings())
    encoder = PrecomputedTextEncoder(PrecomputedParams(path=str(path), embedding_dim=4))
    cond = encoder.encode(["sea", "", "a red house"])
    assert cond.embedding is not None
    assert cond.tokens is not None
    assert cond.token_mask is not None
    assert torch.equal(cond.embedding[0], embeddings()[2])
    assert torch.equal(cond.embedding[1], torch.zeros(4))  # no "" entry: zeros, no real token
    assert torch.equal(cond.embedding[2], embeddings()[0])
    # without tokens in the file, the embedding is the one token
    assert cond.tokens.shape == (3, 1, 4)
    assert torch.equal(cond.tokens[0, 0], embeddings()[2])
    assert cond.token_mask.tolist() == [[True], [False], [True]]


def test_an_entry_for_the_empty_prompt_is_used(tmp_path: Path) -> None:
    path = tmp_path / "e.npz"
    write_embedding_file(path, [*KEYS, ""], torch.cat([embeddings(), torch.full((1, 4), 7.0)]))
    encoder = PrecomputedTextEncoder(PrecomputedParams(path=str(path)))
    cond = encoder.encode([""])
    assert cond.embedding is not None
    assert torch.equal(cond.embedding[0], torch.full((4,), 7.0))


def test_lookup_by_sample_id(tmp_path: Path) -> None:
    path = tmp_path / "e.safetensors"
    write_embedding_file(path, ["id-0", "id-1"], embeddings()[:2])
    encoder = PrecomputedTextEncoder(PrecomputedParams(path=str(path), key="id"))
    cond = encoder.encode(["whatever", "other", ""], ids=["id-1", "id-0", "id-1"])
    assert cond.embedding is not None
    assert torch.equal(cond.embedding[0], embeddings()[1])
    assert torch.equal(cond.embedding[1], embeddings()[0])
    assert torch.equal(cond.embedding[2], torch.zeros(4))  # dropped prompt: no prompt
    with pytest.raises(DataError, match="sample id per prompt"):
        encoder.encode(["x"])


def test_missing_keys_are_named(tmp_path: Path) -> None:
    path = tmp_path / "e.safetensors"
    write_embedding_file(path, KEYS, embeddings())
    encoder = PrecomputedTextEncoder(PrecomputedParams(path=str(path)))
    assert encoder.missing_keys(["sea", "a dog", "a dog", ""]) == ["a dog"]
    with pytest.raises(DataError, match=r"no entry for the prompt 'a dog' of the corpus"):
        encoder.check_keys(["sea", "a dog"], "the corpus")
    with pytest.raises(DataError, match="'a dog'"):
        encoder.encode(["a dog"])


def test_wrong_width_is_an_error_at_load(tmp_path: Path) -> None:
    path = tmp_path / "e.safetensors"
    write_embedding_file(path, KEYS, embeddings())
    with pytest.raises(InvalidParamError, match=r"width 8.*holds width 4") as caught:
        PrecomputedTextEncoder(PrecomputedParams(path=str(path), embedding_dim=8))
    assert caught.value.key == "embedding_dim"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "not found"),
        (lambda p: p.write_bytes(b"not a file format"), "cannot read"),
        (
            lambda p: np.savez(p, keys=np.array(["a"]), other=np.zeros((1, 2))),
            "no 'embeddings' tensor",
        ),
        (
            lambda p: np.savez(p, keys=np.array(["a", "b"]), embeddings=np.zeros((3, 2))),
            r"should be \[2, E\]",
        ),
        (lambda p: np.savez(p, embeddings=np.zeros((3, 2))), "no 'keys' array"),
    ],
)
def test_malformed_files_name_the_path(tmp_path: Path, make: object, message: str) -> None:
    path = tmp_path / "e.npz"
    make(path)  # type: ignore[operator]
    with pytest.raises(DataError, match=message) as caught:
        PrecomputedTextEncoder(PrecomputedParams(path=str(path)))
    assert str(path) in str(caught.value)


def test_other_suffixes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"\.safetensors or \.npz"):
        read_embedding_file(tmp_path / "e.pt")


def test_frozen_and_not_in_checkpoints(tmp_path: Path) -> None:
    path = tmp_path / "e.safetensors"
    write_embedding_file(path, KEYS, embeddings())
    encoder = PrecomputedTextEncoder(PrecomputedParams(path=str(path)))
    assert not encoder.trainable
    assert list(encoder.parameters()) == []
    assert encoder.state_dict() == {}
