"""``precomputed``: prompt embeddings looked up in a file, by prompt text or by sample id.

What a user with a big frozen encoder runs once offline (``scripts/precompute_embeddings.py``), and
what CI uses. Frozen: nothing is computed during training.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, TypeAlias, get_args

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import DataError, InvalidParamError
from gan_engine.params import at_least, one_of
from gan_engine.registry import register_text_encoder
from gan_engine.text.embedding_files import read_embedding_file
from gan_engine.types import BuildContext, Conditioning

EmbeddingKey: TypeAlias = Literal["prompt", "id"]

MAX_LISTED_KEYS = 5
"""Missing keys quoted in an error (the count says how many more)."""


def _path(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"expected the path of a .safetensors or .npz file, got {value!r}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class PrecomputedParams:
    """Parameters of the ``precomputed`` text encoder.

    Attributes:
        path: ``.safetensors`` or ``.npz`` file (layout in :mod:`gan_engine.text.embedding_files`).
        key: look embeddings up by the sample's ``prompt`` text or by its ``id``.
        embedding_dim: the width the run expects; the file's must match (checked at load).
    """

    path: str = attrs.field(validator=_path)
    key: EmbeddingKey = attrs.field(default="prompt", validator=one_of(get_args(EmbeddingKey)))
    embedding_dim: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(at_least(1))
    )

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """When the spec loads: the file exists, is well formed and has the expected width."""
        path = Path(self.path).expanduser()
        try:
            table = read_embedding_file(path)
        except DataError as error:
            return [InvalidParamError("path", str(error))]
        width = table.embeddings.shape[1]
        if self.embedding_dim is not None and width != self.embedding_dim:
            msg = f"the run expects width {self.embedding_dim}, but '{path}' holds width {width}"
            return [InvalidParamError("embedding_dim", msg)]
        return []


@register_text_encoder("precomputed", params=PrecomputedParams)
class PrecomputedTextEncoder(nn.Module):
    """Embeddings read from a file and looked up per sample; frozen, no parameters.

    An empty prompt (prompt dropout) gives the file's entry for the key ``""`` when it has one,
    else a zero embedding and no real token. With ``key: id`` the sample ids select the rows, and
    an empty prompt still means "no prompt".

    Raises:
        DataError: the file is missing, unreadable or malformed.
        InvalidParamError: its width differs from ``embedding_dim``.
    """

    trainable = False
    embeddings: Tensor
    tokens: Tensor
    token_mask: Tensor

    def __init__(self, params: PrecomputedParams) -> None:
        super().__init__()
        self.params = params
        self.path = Path(params.path).expanduser()
        table = read_embedding_file(self.path)
        width = table.embeddings.shape[1]
        if params.embedding_dim is not None and width != params.embedding_dim:
            msg = (
                f"the run expects embeddings of width {params.embedding_dim}, "
                f"but '{self.path}' holds width {width}"
            )
            raise InvalidParamError(key="embedding_dim", message=msg)
        self.embedding_dim = width
        self.token_dim = table.tokens.shape[2]
        self._rows = {key: row for row, key in enumerate(table.keys)}
        # not persistent: the file is the source of truth, checkpoints stay small
        self.register_buffer("embeddings", table.embeddings, persistent=False)
        self.register_buffer("tokens", table.tokens, persistent=False)
        self.register_buffer("token_mask", table.token_mask, persistent=False)

    @property
    def key(self) -> str:
        """What embeddings are looked up by: ``prompt`` or ``id``."""
        return self.params.key

    def missing_keys(self, keys: Iterable[str]) -> list[str]:
        """The keys (prompts or ids) that the file lacks, in order, without duplicates."""
        return [key for key in dict.fromkeys(keys) if key and key not in self._rows]

    def check_keys(self, keys: Iterable[str], where: str) -> None:
        """Raise :class:`DataError` when the file lacks any of ``keys`` (e.g. a dataset's prompts)."""
        missing = self.missing_keys(keys)
        if missing:
            listed = ", ".join(repr(key) for key in missing[:MAX_LISTED_KEYS])
            more = (
                f" and {len(missing) - MAX_LISTED_KEYS} more"
                if len(missing) > MAX_LISTED_KEYS
                else ""
            )
            msg = (
                f"embedding file '{self.path}' has no entry for the {self.params.key} {listed}{more} "
                f"of {where}"
            )
            raise DataError(msg)

    def encode(self, prompts: Sequence[str], ids: Sequence[str] | None = None) -> Conditioning:
        """Look up one row per sample; see the class docstring for empty prompts."""
        if self.params.key == "id":
            if ids is None or len(ids) != len(prompts):
                msg = "precomputed (key: id) needs one sample id per prompt; the batch has none"
                raise DataError(msg)
            keys = [
                sample_id if prompt else "" for prompt, sample_id in zip(prompts, ids, strict=True)
            ]
        else:
            keys = list(prompts)
        self.check_keys(keys, "this batch")
        embeddings, tokens, token_mask = self.embeddings, self.tokens, self.token_mask
        rows = [self._rows.get(key, -1) for key in keys]
        index = torch.tensor([max(row, 0) for row in rows], device=embeddings.device)
        known = torch.tensor([row >= 0 for row in rows], device=embeddings.device)
        # an empty prompt without its own entry: zeros and no real token
        return Conditioning(
            embedding=embeddings[index] * known[:, None],
            tokens=tokens[index] * known[:, None, None],
            token_mask=token_mask[index] & known[:, None],
        )
