"""Normalisation of conditioning embeddings: its own pipeline, apart from the images'.

Embeddings (a global ``[B, E]`` vector, token sequences ``[B, T, E]``) are normalised per vector:
``none`` leaves them, ``l2`` scales each to unit length, ``zscore`` applies ``(x - mean) / std`` per
feature with statistics given in the spec (an encoder's published ones, say). Hole masks are never
normalised. Padding tokens stay exactly zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs
import torch
from torch import Tensor

from gan_engine.errors import InvalidParamError

EmbeddingMethod: TypeAlias = Literal["none", "l2", "zscore"]

L2_EPS = 1e-12
"""Floor of a vector's length in ``l2`` (an all-zero vector stays zero instead of becoming NaN)."""


@attrs.frozen
class EmbeddingNormalisation:
    """How one kind of embedding is normalised.

    Attributes:
        method: ``none``; ``l2``: each vector scaled to unit length; ``zscore``: ``(x - mean) / std``
            per feature with the given statistics.
        mean: one value per embedding feature (``zscore`` only).
        std: one positive value per embedding feature (``zscore`` only).
    """

    method: EmbeddingMethod = "none"
    mean: list[float] | None = None
    std: list[float] | None = None

    def __attrs_post_init__(self) -> None:
        """Statistics go with ``zscore`` and only with it; stds are positive; lengths agree."""
        problem = self._problem()
        if problem is not None:
            raise problem

    def _problem(self) -> InvalidParamError | None:
        statistics = (("mean", self.mean), ("std", self.std))
        if self.method != "zscore":
            for key, values in statistics:
                if values:
                    return InvalidParamError(
                        key, f"is only used by method zscore, not {self.method}"
                    )
            return None
        for key, values in statistics:
            if not values:
                return InvalidParamError(key, "method zscore needs mean and std (one per feature)")
        mean, std = self.mean or [], self.std or []
        if any(value <= 0 for value in std):
            return InvalidParamError("std", f"every value must be > 0, got {std}")
        if len(mean) != len(std):
            return InvalidParamError("std", f"has {len(std)} values but mean has {len(mean)}")
        return None

    def apply(self, x: Tensor, valid: Tensor | None = None) -> Tensor:
        """Normalise ``x`` ``[..., E]``; positions where ``valid`` ``[...]`` is False become zero.

        Raises:
            ValueError: the statistics' length is not ``E``.
        """
        if self.method == "none":
            return x
        out: Tensor
        if self.method == "l2":
            out = x / x.norm(dim=-1, keepdim=True).clamp_min(L2_EPS)
        else:
            mean = torch.tensor(self.mean, dtype=x.dtype, device=x.device)
            std = torch.tensor(self.std, dtype=x.dtype, device=x.device)
            if mean.numel() != x.shape[-1]:
                msg = f"zscore statistics have {mean.numel()} features, the embedding has {x.shape[-1]}"
                raise ValueError(msg)
            out = (x - mean) / std
        if valid is None:
            return out
        keep: Tensor = valid.unsqueeze(-1).to(out.dtype)
        return out * keep


@attrs.frozen
class ConditioningNormalisation:
    """The normalisation of each conditioning kind that has values (masks never do).

    Attributes:
        embedding: of the global embedding ``[B, E]``.
        tokens: of token embeddings ``[B, T, E]`` (padding stays zero).
    """

    embedding: EmbeddingNormalisation = attrs.field(factory=EmbeddingNormalisation)
    tokens: EmbeddingNormalisation = attrs.field(factory=EmbeddingNormalisation)

    def __call__(self, batch: Mapping[str, Any]) -> Mapping[str, Any]:
        """``batch`` with its ``embedding`` and ``tokens`` normalised (itself when nothing changes)."""
        changes: dict[str, Tensor] = {}
        if "embedding" in batch and self.embedding.method != "none":
            changes["embedding"] = self.embedding.apply(batch["embedding"])
        if "tokens" in batch and self.tokens.method != "none":
            changes["tokens"] = self.tokens.apply(batch["tokens"], batch.get("token_mask"))
        return {**batch, **changes} if changes else batch
