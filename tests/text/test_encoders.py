"""Every registered text encoder: shapes, empty prompts, mixed lengths, determinism."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from torch import nn

from gan_engine.protocols import TextEncoder
from gan_engine.registry import TEXT_ENCODERS
from gan_engine.text.byte_encoder import ByteEncoderParams, ByteTextEncoder
from gan_engine.text.embedding_files import write_embedding_file
from gan_engine.text.precomputed import PrecomputedParams, PrecomputedTextEncoder
from tests.text.open_clip_fixture import write_tiny_open_clip

PROMPTS = ["a cat", "", "a much longer prompt about a red brick house"]


def build_bytes(_folder: Path) -> TextEncoder:
    torch.manual_seed(0)
    return ByteTextEncoder(ByteEncoderParams.tiny())


def build_precomputed(folder: Path) -> TextEncoder:
    generator = torch.Generator().manual_seed(0)
    keys = [p for p in PROMPTS if p] + ["a"]
    tokens = torch.randn(len(keys), 4, 3, generator=generator)
    mask = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]], dtype=torch.bool)
    path = folder / "embeddings.safetensors"
    write_embedding_file(path, keys, torch.randn(len(keys), 5, generator=generator), tokens, mask)
    return PrecomputedTextEncoder(PrecomputedParams(path=str(path)))


def build_open_clip(folder: Path) -> TextEncoder:
    from gan_engine.text.open_clip_encoder import OpenClipParams, OpenClipTextEncoder

    return OpenClipTextEncoder(OpenClipParams(path=str(write_tiny_open_clip(folder / "clip"))))


BUILDERS: dict[str, Callable[[Path], TextEncoder]] = {
    "bytes": build_bytes,
    "precomputed": build_precomputed,
    "open_clip": build_open_clip,
}


def test_every_registered_encoder_is_tested_here() -> None:
    assert TEXT_ENCODERS.broken() == {}
    assert set(TEXT_ENCODERS.names()) == set(BUILDERS)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_encoding_shapes_empty_prompt_and_mixed_lengths(name: str, tmp_path: Path) -> None:
    encoder = BUILDERS[name](tmp_path)
    assert isinstance(encoder, TextEncoder)
    assert isinstance(encoder, nn.Module)
    with torch.no_grad():
        cond = encoder.encode(PROMPTS)
        again = encoder.encode(PROMPTS)
        alone = [encoder.encode([prompt]) for prompt in PROMPTS]
    assert cond.embedding is not None
    assert cond.tokens is not None
    assert cond.token_mask is not None
    batch, length = len(PROMPTS), cond.tokens.shape[1]
    assert cond.embedding.shape == (batch, encoder.embedding_dim)
    assert cond.tokens.shape == (batch, length, encoder.token_dim)
    assert length >= 1
    assert cond.token_mask.shape == (batch, length)
    assert cond.token_mask.dtype == torch.bool
    assert torch.isfinite(cond.embedding).all()
    assert torch.isfinite(cond.tokens).all()
    assert torch.equal(cond.embedding, again.embedding)
    # a prompt encodes the same alone and in a batch of other lengths (padding is invisible)
    for row, single in enumerate(alone):
        assert single.embedding is not None
        assert single.tokens is not None
        assert single.token_mask is not None
        real = int(single.token_mask.sum())
        assert int(cond.token_mask[row].sum()) == real
        torch.testing.assert_close(cond.embedding[row], single.embedding[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(
            cond.tokens[row, :real], single.tokens[0, :real], atol=1e-5, rtol=1e-5
        )
    assert not torch.equal(cond.embedding[0], cond.embedding[2]), "two prompts, one embedding"
