"""Encoding a corpus's prompts once and writing them to an embeddings file for ``precomputed``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from gan_engine.protocols import TextEncoder
from gan_engine.text.embedding_files import write_embedding_file
from gan_engine.text.tokens import pad_tokens


def precompute_embeddings(
    encoder: TextEncoder,
    keys: Sequence[str],
    prompts: Sequence[str],
    path: Path,
    *,
    batch_size: int = 64,
) -> None:
    """Encode ``prompts`` (one per key) with ``encoder`` and write them to ``path`` under ``keys``.

    Keys are the prompts themselves (``key: prompt``) or sample ids (``key: id``); a key ``""``
    stores the encoder's "no prompt" embedding, used for dropped prompts. Tokens are stored with
    their padding mask, padded to the longest prompt.
    """
    if len(keys) != len(prompts) or not keys:
        msg = f"expected one prompt per key, got {len(keys)} keys and {len(prompts)} prompts"
        raise ValueError(msg)
    if len(set(keys)) != len(keys):
        msg = "keys must be distinct"
        raise ValueError(msg)
    embeddings, sequences = [], []
    with torch.no_grad():
        for start in range(0, len(prompts), batch_size):
            cond = encoder.encode(list(prompts[start : start + batch_size]))
            if cond.embedding is None or cond.tokens is None or cond.token_mask is None:
                msg = f"{type(encoder).__name__} returned no embedding or tokens"
                raise ValueError(msg)
            for row in range(cond.embedding.shape[0]):
                embeddings.append(cond.embedding[row].cpu())
                sequences.append(cond.tokens[row][cond.token_mask[row]].cpu())
    tokens, mask = pad_tokens(sequences, encoder.token_dim)
    write_embedding_file(path, list(keys), torch.stack(embeddings), tokens, mask)
