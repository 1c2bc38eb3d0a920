"""Collation of samples into batches: conditioning tokens padded, metadata kept as plain data.

Tensors are stacked by PyTorch's ``default_collate`` (in worker processes it stacks straight into
shared memory), so batches of samples without conditioning are exactly what they always were. Token
sequences of different lengths are padded with zeros to the batch's longest, their masks with False;
metadata stays a list of dicts, one per sample, after checking that every value is JSON-able, so it
survives device transfers and DDP untouched (no tensors inside).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import Tensor
from torch.utils.data import default_collate

from gan_engine.errors import DataError

TOKENS = "tokens"
TOKEN_MASK = "token_mask"
METADATA = "metadata"


def collate_samples(samples: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Batch ``samples``: tensors stacked, ``tokens``/``token_mask`` padded, ``metadata`` listed.

    ``tokens`` ``[T_i, E]`` become ``[B, T_max, E]`` and ``token_mask`` ``[B, T_max]`` (True for real
    tokens; built from the lengths when the samples give none).

    Raises:
        DataError: samples with different keys, token widths that differ, a token mask whose length
            is not its sequence's, or metadata that is not JSON-able.
    """
    if not samples:
        msg = "cannot collate an empty list of samples"
        raise DataError(msg)
    keys = set(samples[0])
    for index, sample in enumerate(samples[1:], start=1):
        if set(sample) != keys:
            differ = sorted(keys ^ set(sample))
            msg = f"samples 0 and {index} of a batch have different keys: {', '.join(differ)}"
            raise DataError(msg)
    special = {TOKENS, TOKEN_MASK, METADATA}
    plain = [{k: v for k, v in sample.items() if k not in special} for sample in samples]
    batch: dict[str, Any] = default_collate(plain) if keys - special else {}
    if TOKENS in keys:
        masks = [sample[TOKEN_MASK] for sample in samples] if TOKEN_MASK in keys else None
        batch[TOKENS], batch[TOKEN_MASK] = pad_tokens([s[TOKENS] for s in samples], masks)
    elif TOKEN_MASK in keys:
        msg = "samples have a token_mask but no tokens"
        raise DataError(msg)
    if METADATA in keys:
        batch[METADATA] = [checked_metadata(s[METADATA], index) for index, s in enumerate(samples)]
    return batch


def pad_tokens(
    tokens: Sequence[Tensor], masks: Sequence[Tensor] | None = None
) -> tuple[Tensor, Tensor]:
    """Pad token sequences ``[T_i, E]`` to ``[B, T_max, E]`` (zeros) with a ``[B, T_max]`` bool mask."""
    widths = {t.shape[-1] for t in tokens}
    if any(t.ndim != 2 for t in tokens) or len(widths) != 1:
        shapes = ", ".join(str(tuple(t.shape)) for t in tokens)
        msg = f"tokens must be [T, E] with one E per batch, got shapes {shapes}"
        raise DataError(msg)
    longest = max(t.shape[0] for t in tokens)
    padded = tokens[0].new_zeros((len(tokens), longest, widths.pop()))
    mask = torch.zeros((len(tokens), longest), dtype=torch.bool)
    for index, sequence in enumerate(tokens):
        length = sequence.shape[0]
        padded[index, :length] = sequence
        if masks is None:
            mask[index, :length] = True
            continue
        given = masks[index]
        if given.shape != (length,):
            msg = (
                f"sample {index}: token_mask must be [{length}] like its tokens, "
                f"got {tuple(given.shape)}"
            )
            raise DataError(msg)
        mask[index, :length] = given.bool()
    return padded, mask


def checked_metadata(value: Any, index: int) -> dict[str, Any]:
    """``value`` if it is a dict of JSON-able values; otherwise a :class:`DataError` naming where."""
    if not isinstance(value, Mapping):
        msg = f"sample {index}: metadata must be a dict, got {type(value).__name__}"
        raise DataError(msg)
    _check_json(value, f"sample {index}: metadata")
    return dict(value)


def _check_json(value: Any, where: str) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            msg = f"{where}: {value} is not JSON-able (NaN and infinities are not)"
            raise DataError(msg)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                msg = f"{where}: keys must be strings, got {key!r}"
                raise DataError(msg)
            _check_json(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            _check_json(item, f"{where}[{position}]")
        return
    msg = (
        f"{where}: expected a JSON-able value (str, int, float, bool, None, list, dict), "
        f"got {type(value).__name__}"
    )
    raise DataError(msg)
