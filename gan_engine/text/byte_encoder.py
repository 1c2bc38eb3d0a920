"""``bytes``: a small trainable transformer over the UTF-8 bytes of a prompt (no vocabulary to fetch).

Trained with the GAN (its parameters are optimised with the generator's), so it learns what the
prompts of a corpus mean for its images. Any language and any character work: a prompt is its bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.params import at_least
from gan_engine.registry import register_text_encoder
from gan_engine.types import Conditioning

BYTE_VALUES = 256
CLS_INDEX = BYTE_VALUES
"""Index of the learned summary token prepended to every prompt (it is never padding)."""
PAD_INDEX = BYTE_VALUES + 1


@attrs.frozen(kw_only=True)
class ByteEncoderParams:
    """Parameters of the ``bytes`` text encoder.

    Attributes:
        width: width of the byte embeddings and of the transformer (the token width).
        embedding_dim: width of the global embedding (a projection of the summary token).
        layers: transformer encoder layers.
        heads: attention heads; must divide ``width``.
        max_bytes: prompts are cut to this many UTF-8 bytes.
    """

    width: int = attrs.field(default=64, validator=at_least(1))
    embedding_dim: int = attrs.field(default=64, validator=at_least(1))
    layers: int = attrs.field(default=2, validator=at_least(1))
    heads: int = attrs.field(default=4, validator=at_least(1))
    max_bytes: int = attrs.field(default=128, validator=at_least(1))

    def __attrs_post_init__(self) -> None:
        if self.width % self.heads:
            msg = f"must divide width {self.width}, got {self.heads}"
            raise InvalidParamError(key="heads", message=msg)

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for tests."""
        return cls(width=8, embedding_dim=6, layers=1, heads=2, max_bytes=16)


@register_text_encoder("bytes", params=ByteEncoderParams)
class ByteTextEncoder(nn.Module):
    """Transformer encoder over prompt bytes; trainable.

    ``encode(prompts)`` gives ``embedding[B, embedding_dim]`` (a projection of a learned summary
    token that attends to the bytes), ``tokens[B, T, width]`` (one per byte, ``T`` the longest
    prompt in bytes, at least 1) and ``token_mask[B, T]``. An empty prompt has no real token and an
    embedding learned for "no prompt". Dropout is off, so encodings are deterministic.
    """

    trainable = True

    def __init__(self, params: ByteEncoderParams | None = None) -> None:
        super().__init__()
        params = ByteEncoderParams() if params is None else params
        self.params = params
        self.embedding_dim = params.embedding_dim
        self.token_dim = params.width
        self.bytes = nn.Embedding(BYTE_VALUES + 2, params.width, padding_idx=PAD_INDEX)
        self.positions = nn.Embedding(params.max_bytes + 1, params.width)
        layer = nn.TransformerEncoderLayer(
            params.width,
            params.heads,
            dim_feedforward=2 * params.width,
            dropout=0.0,
            batch_first=True,
            norm_first=True,
        )
        # no nested tensors: the same arithmetic in training and inference
        self.transformer = nn.TransformerEncoder(layer, params.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(params.width)
        self.projection = nn.Linear(params.width, params.embedding_dim)

    def byte_indices(self, prompts: Sequence[str]) -> tuple[Tensor, Tensor]:
        """``indices[B, 1 + T]`` (summary token first) and ``mask[B, T]`` of the prompts' bytes."""
        encoded = [prompt.encode("utf-8")[: self.params.max_bytes] for prompt in prompts]
        length = max(1, *(len(data) for data in encoded)) if encoded else 1
        device = self.positions.weight.device
        indices = torch.full((len(encoded), 1 + length), PAD_INDEX, dtype=torch.long)
        indices[:, 0] = CLS_INDEX
        for row, data in enumerate(encoded):
            if data:
                indices[row, 1 : 1 + len(data)] = torch.tensor(list(data), dtype=torch.long)
        mask = indices[:, 1:] != PAD_INDEX
        return indices.to(device), mask.to(device)

    def encode(self, prompts: Sequence[str], ids: Sequence[str] | None = None) -> Conditioning:
        """Encode one prompt per sample (``ids`` are ignored)."""
        if not prompts:
            msg = "bytes: expected at least one prompt, got none"
            raise ValueError(msg)
        indices, mask = self.byte_indices(prompts)
        positions = torch.arange(indices.shape[1], device=indices.device)
        x = self.bytes(indices) + self.positions(positions)[None]
        padding = torch.cat([torch.zeros_like(mask[:, :1]), ~mask], dim=1)
        hidden = self.norm(self.transformer(x, src_key_padding_mask=padding))
        # padded positions carry no meaning: zero them so they never leak into consumers
        tokens = hidden[:, 1:] * mask[..., None]
        return Conditioning(embedding=self.projection(hidden[:, 0]), tokens=tokens, token_mask=mask)
