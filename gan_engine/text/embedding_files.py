"""Reading precomputed prompt embeddings from ``.safetensors`` or ``.npz`` files.

Layout (both formats): ``embeddings`` ``[N, E]`` float; optionally ``tokens`` ``[N, T, E_t]`` with
``token_mask`` ``[N, T]`` (True/1 for real tokens); and the ``N`` keys (prompt texts or sample
ids) in order: in ``.safetensors`` as a JSON list in the metadata entry ``keys``, in ``.npz`` as a
string array ``keys``. ``scripts/precompute_embeddings.py`` writes such files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np
import torch
from torch import Tensor

from gan_engine.errors import DataError

EMBEDDING_SUFFIXES = (".safetensors", ".npz")


@attrs.frozen
class EmbeddingTable:
    """Embeddings by key: ``embeddings[N, E]``, ``tokens[N, T, E_t]``, ``token_mask[N, T]``.

    Files without tokens get one token per key: the global embedding itself.
    """

    keys: tuple[str, ...]
    embeddings: Tensor
    tokens: Tensor
    token_mask: Tensor


def write_embedding_file(
    path: Path,
    keys: Sequence[str],
    embeddings: Tensor,
    tokens: Tensor | None = None,
    token_mask: Tensor | None = None,
) -> None:
    """Write ``keys`` and their embeddings to ``path`` (``.safetensors`` or ``.npz``)."""
    tensors: dict[str, Tensor] = {"embeddings": embeddings.detach().float().cpu().contiguous()}
    if tokens is not None:
        tensors["tokens"] = tokens.detach().float().cpu().contiguous()
        mask = torch.ones(tokens.shape[:2], dtype=torch.bool) if token_mask is None else token_mask
        tensors["token_mask"] = mask.to(torch.uint8).cpu().contiguous()
    if path.suffix == ".safetensors":
        from safetensors.torch import save_file

        save_file(tensors, str(path), metadata={"keys": json.dumps(list(keys))})
    elif path.suffix == ".npz":
        arrays = {name: tensor.numpy() for name, tensor in tensors.items()}
        np.savez(path, keys=np.array(list(keys), dtype=str), **arrays)  # type: ignore[arg-type]
    else:
        msg = f"embedding files end in {' or '.join(EMBEDDING_SUFFIXES)}, got '{path}'"
        raise DataError(msg)


def _read(path: Path) -> tuple[list[str], Mapping[str, Tensor]]:
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
        if "keys" not in metadata:
            msg = f"embedding file '{path}' has no 'keys' entry in its metadata (a JSON list)"
            raise DataError(msg)
        keys = json.loads(metadata["keys"])
        return [str(key) for key in keys], tensors
    with np.load(path, allow_pickle=False) as archive:
        if "keys" not in archive:
            msg = f"embedding file '{path}' has no 'keys' array"
            raise DataError(msg)
        keys = [str(key) for key in archive["keys"].tolist()]
        tensors = {
            name: torch.from_numpy(np.array(archive[name])) for name in archive if name != "keys"
        }
    return keys, tensors


def read_embedding_file(path: Path) -> EmbeddingTable:
    """Load and check an embedding file; every problem raises :class:`DataError` naming ``path``."""
    if path.suffix not in EMBEDDING_SUFFIXES:
        msg = f"embedding files end in {' or '.join(EMBEDDING_SUFFIXES)}, got '{path}'"
        raise DataError(msg)
    if not path.is_file():
        msg = f"embedding file not found: '{path}' (make one with scripts/precompute_embeddings.py)"
        raise DataError(msg)
    try:
        keys, tensors = _read(path)
    except (OSError, ValueError, json.JSONDecodeError) as error:
        msg = f"cannot read embedding file '{path}': {error}"
        raise DataError(msg) from error
    if "embeddings" not in tensors:
        msg = f"embedding file '{path}' has no 'embeddings' tensor; it holds {sorted(tensors)}"
        raise DataError(msg)
    embeddings = tensors["embeddings"].float()
    if embeddings.ndim != 2 or embeddings.shape[0] != len(keys):
        msg = (
            f"embedding file '{path}': 'embeddings' should be [{len(keys)}, E] (one row per key), "
            f"got {tuple(embeddings.shape)}"
        )
        raise DataError(msg)
    if len(set(keys)) != len(keys):
        msg = f"embedding file '{path}' lists some keys more than once"
        raise DataError(msg)
    if "tokens" not in tensors:
        mask = torch.ones((len(keys), 1), dtype=torch.bool)
        return EmbeddingTable(tuple(keys), embeddings, embeddings[:, None, :].clone(), mask)
    tokens = tensors["tokens"].float()
    token_mask = tensors.get("token_mask", torch.ones(tokens.shape[:2])).bool()
    if tokens.ndim != 3 or tokens.shape[0] != len(keys) or token_mask.shape != tokens.shape[:2]:
        msg = (
            f"embedding file '{path}': expected 'tokens' [{len(keys)}, T, E_t] and 'token_mask' "
            f"[{len(keys)}, T], got {tuple(tokens.shape)} and {tuple(token_mask.shape)}"
        )
        raise DataError(msg)
    return EmbeddingTable(tuple(keys), embeddings, tokens, token_mask)
