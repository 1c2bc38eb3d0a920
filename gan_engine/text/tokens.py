"""Batching of per-prompt encodings: padding token sequences of different lengths into one batch."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from gan_engine.types import Conditioning


def pad_tokens(sequences: Sequence[Tensor], width: int) -> tuple[Tensor, Tensor]:
    """Stack ``[T_i, width]`` sequences into ``tokens[B, T, width]`` and ``mask[B, T]`` (bool).

    ``T = max(1, max T_i)``: a batch of empty prompts still has one (padding) position, so
    attention layers always see a ``T`` axis. Padding is zeros and ``False`` in the mask.
    """
    if not sequences:
        msg = "pad_tokens: expected at least one sequence, got none"
        raise ValueError(msg)
    for index, sequence in enumerate(sequences):
        if sequence.ndim != 2 or sequence.shape[1] != width:
            msg = (
                f"pad_tokens: sequence {index} should be [T, {width}], got {tuple(sequence.shape)}"
            )
            raise ValueError(msg)
    length = max(1, *(len(sequence) for sequence in sequences))
    first = sequences[0]
    tokens = first.new_zeros((len(sequences), length, width))
    mask = torch.zeros((len(sequences), length), dtype=torch.bool, device=first.device)
    for row, sequence in enumerate(sequences):
        tokens[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = True
    return tokens, mask


def text_conditioning(
    embeddings: Sequence[Tensor], sequences: Sequence[Tensor], token_dim: int
) -> Conditioning:
    """A batch :class:`Conditioning` from per-prompt ``embedding[E]`` and ``tokens[T_i, token_dim]``."""
    tokens, mask = pad_tokens(sequences, token_dim)
    return Conditioning(embedding=torch.stack(list(embeddings)), tokens=tokens, token_mask=mask)
