"""``bytes``: a trainable encoder that learns, resumes bit-exactly and handles any text."""

from __future__ import annotations

import io

import torch

from gan_engine.text.byte_encoder import ByteEncoderParams, ByteTextEncoder


def test_gradients_reach_every_parameter() -> None:
    torch.manual_seed(0)
    encoder = ByteTextEncoder(ByteEncoderParams.tiny())
    assert encoder.trainable
    cond = encoder.encode(["a cat", "", "ünïcødé ✓"])
    assert cond.embedding is not None
    assert cond.tokens is not None
    (cond.embedding.square().sum() + cond.tokens.square().sum()).backward()
    missing = [n for n, p in encoder.named_parameters() if p.grad is None]
    assert not missing
    # bytes that occur get a gradient; padding never does
    assert encoder.bytes.weight.grad is not None
    assert torch.count_nonzero(encoder.bytes.weight.grad[ord("c")]) > 0
    assert torch.count_nonzero(encoder.bytes.weight.grad[-1]) == 0


def test_state_dict_round_trip_is_bit_exact() -> None:
    torch.manual_seed(1)
    encoder = ByteTextEncoder(ByteEncoderParams.tiny())
    optimiser = torch.optim.Adam(encoder.parameters(), lr=1e-2)
    for _ in range(2):
        optimiser.zero_grad()
        embedding = encoder.encode(["a red house", "sea"]).embedding
        assert embedding is not None
        embedding.sum().backward()
        optimiser.step()
    buffer = io.BytesIO()
    torch.save(encoder.state_dict(), buffer)
    buffer.seek(0)
    torch.manual_seed(2)
    restored = ByteTextEncoder(ByteEncoderParams.tiny())
    restored.load_state_dict(torch.load(buffer, weights_only=True))
    first, second = encoder.encode(["a red house"]), restored.encode(["a red house"])
    assert first.embedding is not None
    assert second.embedding is not None
    assert torch.equal(first.embedding, second.embedding)


def test_prompts_are_cut_to_max_bytes() -> None:
    encoder = ByteTextEncoder(ByteEncoderParams.tiny())  # max_bytes 16
    cond = encoder.encode(["x" * 40])
    assert cond.tokens is not None
    assert cond.tokens.shape[1] == 16
    indices, mask = encoder.byte_indices(["é"])  # two UTF-8 bytes
    assert indices.tolist()[0][1:] == list("é".encode())
    assert mask.tolist() == [[True, True]]
