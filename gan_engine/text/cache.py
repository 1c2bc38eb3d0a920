"""A per-prompt cache for frozen encoders: each distinct prompt is encoded once per run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from gan_engine.text.tokens import text_conditioning
from gan_engine.types import Conditioning

EncodeBatch = Callable[[Sequence[str]], list[tuple[Tensor, Tensor]]]
"""Encodes distinct prompts into one ``(embedding[E], tokens[T_i, E_t])`` pair each."""


class PromptCache:
    """Remembers ``(embedding, tokens)`` per prompt text; computes only prompts not seen before.

    Entries are kept on the CPU (detached), so the cache never holds the autograd graph or device
    memory; :meth:`encode` moves the batch to ``device``. ``computed`` counts prompts actually
    encoded, which tests use to prove that nothing is recomputed per step.

    Args:
        compute: encodes a list of distinct, uncached prompts (called without gradients).
        token_dim: width of the token embeddings.
    """

    def __init__(self, compute: EncodeBatch, token_dim: int) -> None:
        self._compute = compute
        self.token_dim = token_dim
        self._entries: dict[str, tuple[Tensor, Tensor]] = {}
        self.computed = 0

    def __len__(self) -> int:
        return len(self._entries)

    def encode(self, prompts: Sequence[str], device: torch.device) -> Conditioning:
        """The conditioning of ``prompts`` (one per sample), encoding only new ones."""
        missing = list(dict.fromkeys(p for p in prompts if p not in self._entries))
        if missing:
            with torch.no_grad():
                results = self._compute(missing)
            if len(results) != len(missing):
                msg = f"encoder returned {len(results)} encodings for {len(missing)} prompts"
                raise RuntimeError(msg)
            for prompt, (embedding, tokens) in zip(missing, results, strict=True):
                self._entries[prompt] = (embedding.detach().cpu(), tokens.detach().cpu())
            self.computed += len(missing)
        pairs = [self._entries[prompt] for prompt in prompts]
        cond = text_conditioning([e for e, _ in pairs], [t for _, t in pairs], self.token_dim)
        return Conditioning(
            embedding=None if cond.embedding is None else cond.embedding.to(device),
            tokens=None if cond.tokens is None else cond.tokens.to(device),
            token_mask=None if cond.token_mask is None else cond.token_mask.to(device),
        )
