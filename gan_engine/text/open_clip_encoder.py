"""``open_clip``: a frozen CLIP text tower from a local checkpoint folder, cached per prompt."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.open_clip_checkpoint import load_open_clip, text_output_norm
from gan_engine.registry import register_text_encoder
from gan_engine.text.cache import PromptCache
from gan_engine.types import Conditioning


def _folder(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"expected the path of an open_clip checkpoint folder, got {value!r}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class OpenClipParams:
    """Parameters of the ``open_clip`` text encoder.

    Attributes:
        path: checkpoint folder with ``open_clip_config.json`` and the weights (nothing is
            downloaded; see :mod:`gan_engine.open_clip_checkpoint`).
    """

    path: str = attrs.field(validator=_folder)


@register_text_encoder("open_clip", params=OpenClipParams)
class OpenClipTextEncoder(nn.Module):
    """CLIP's text tower, frozen: the pooled, projected text feature and the per-token features.

    ``embedding[B, embed_dim]`` is CLIP's text embedding (``encode_text``, not normalised);
    ``tokens[B, T, text_width]`` are the text transformer's final-norm outputs at the prompt's
    real token positions (start and end tokens included). Each distinct prompt is encoded once
    per run (:class:`~gan_engine.text.cache.PromptCache`); the model is not part of checkpoints.

    Raises:
        WeightsNotFoundError: the folder, its configuration or weights are missing.
        MissingTextExtraError: open_clip is not installed (``pip install 'gan-engine[text]'``).
    """

    trainable = False
    _device_marker: Tensor

    def __init__(self, params: OpenClipParams) -> None:
        super().__init__()
        self.params = params
        bundle = load_open_clip(params.path, "open_clip text encoder")
        # kept out of the module tree: frozen, never trained, never saved in checkpoints
        self._bundle = bundle
        self.token_dim = int(text_output_norm(bundle.model).normalized_shape[0])
        self.cache = PromptCache(self._compute, self.token_dim)
        # the width of the pooled feature, whatever the projection's form; caches "" on the way
        empty = self.cache.encode([""], torch.device("cpu")).embedding
        self.embedding_dim = 0 if empty is None else int(empty.shape[1])
        self.register_buffer("_device_marker", torch.zeros(0), persistent=False)

    def _compute(self, prompts: Sequence[str]) -> list[tuple[Tensor, Tensor]]:
        model = self._bundle.model
        text = self._bundle.tokenizer(list(prompts))
        captured: list[Tensor] = []
        norm = text_output_norm(model)
        handle = norm.register_forward_hook(lambda _m, _i, out: captured.append(out))
        try:
            pooled = model.encode_text(text)
        finally:
            handle.remove()
        per_token = captured[-1]
        return [(pooled[row], per_token[row][text[row] != 0]) for row in range(len(prompts))]

    def encode(self, prompts: Sequence[str], ids: Sequence[str] | None = None) -> Conditioning:
        """Encode one prompt per sample (``ids`` are ignored), from the cache when seen before."""
        return self.cache.encode(prompts, self._device_marker.device)
