"""Prompt handling shared by prompted tasks: per-sample metadata and prompts swapped in the batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from torch import Tensor

from gan_engine.types import Conditioning


def batch_metadata(metadata: Any, batch: int, owner: str) -> list[dict[str, Any]]:
    """One metadata dict per sample, each with a ``prompt`` string.

    Accepts a list of dicts (one per sample) or a dict of per-sample lists (what PyTorch's
    ``default_collate`` makes of the samples' dicts); tensors of per-sample values become Python
    values. Raises ``ValueError`` naming ``owner`` when prompts are missing.
    """
    if isinstance(metadata, Mapping):
        rows: list[dict[str, Any]] = [{} for _ in range(batch)]
        for key, values in metadata.items():
            items = values.tolist() if isinstance(values, Tensor) else list(values)
            for row, value in zip(rows, items, strict=True):
                row[key] = value
    elif isinstance(metadata, Sequence) and not isinstance(metadata, str):
        rows = [dict(entry) for entry in metadata]
    else:
        rows = []
    if len(rows) != batch or any(not isinstance(row.get("prompt"), str) for row in rows):
        msg = (
            f"{owner}: every sample needs metadata with a 'prompt' string; use a prompt corpus "
            "(prompted_photos, prompted_rasters, prompted_mri, sample_prompted_*)"
        )
        raise ValueError(msg)
    return rows


def mismatched_prompts(cond: Conditioning) -> tuple[Conditioning, Tensor]:
    """The batch's prompts rolled by one sample, and which samples really got another prompt.

    Returns ``(rolled, mismatched[B])``: ``rolled`` holds sample ``i - 1``'s embedding, tokens and
    mask for sample ``i``; ``mismatched[i]`` is False where that prompt equals sample ``i``'s own
    (duplicate prompts, a batch of one), so such pairs are never labelled fake.
    """
    if cond.embedding is None:
        msg = "mismatched_prompts: the conditioning has no prompt embedding"
        raise ValueError(msg)
    embedding = cond.embedding.roll(1, 0)
    rolled = attrs.evolve(
        cond,
        embedding=embedding,
        tokens=None if cond.tokens is None else cond.tokens.roll(1, 0),
        token_mask=None if cond.token_mask is None else cond.token_mask.roll(1, 0),
    )
    differs = (embedding != cond.embedding).flatten(1).any(dim=1)
    if cond.tokens is not None and rolled.tokens is not None:
        differs |= (rolled.tokens != cond.tokens).flatten(1).any(dim=1)
    return rolled, differs
