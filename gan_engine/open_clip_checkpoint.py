"""Loading a local open_clip checkpoint folder, frozen, without touching the network.

A checkpoint folder holds ``open_clip_config.json`` (``{"model_cfg": {...}}``) and its weights
(``open_clip_model.safetensors`` or another ``*.safetensors``/``*.bin``/``*.pth``), the layout
open_clip itself writes and reads as ``local-dir:``. Shared by the ``open_clip`` text encoder
(:mod:`gan_engine.text`) and the ``clip_alignment`` loss (:mod:`gan_engine.losses`), which may not
import each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
from torch import nn

from gan_engine.errors import GanEngineError, WeightsNotFoundError

CONFIG_FILE = "open_clip_config.json"
WEIGHT_PATTERNS = ("*.safetensors", "*.bin", "*.pth")
OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


class MissingTextExtraError(GanEngineError, ImportError):
    """open_clip is not installed (or fails to import): the ``text`` extra."""


def missing_text_extra(error: ImportError, *, feature: str, path: str) -> MissingTextExtraError:
    """The error for loading ``path`` with ``feature`` (e.g. ``"open_clip"``) when it is missing."""
    msg = (
        f"loading the checkpoint '{path}' needs {feature}, from the 'text' extra: "
        f"pip install 'gan-engine[text]' ({error})"
    )
    return MissingTextExtraError(msg)


@attrs.frozen
class OpenClipBundle:
    """A frozen open_clip model (eval mode, no gradients), its tokenizer and its image statistics.

    ``model`` is open_clip's (untyped) ``CLIP``: ``encode_text``, ``encode_image``, ``visual``.
    """

    model: Any
    tokenizer: Any
    image_size: tuple[int, int]
    image_mean: tuple[float, float, float]
    image_std: tuple[float, float, float]


def check_checkpoint_folder(path: str, owner: str) -> Path:
    """The checkpoint folder ``path``; raise :class:`WeightsNotFoundError` naming what is missing."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        msg = (
            f"{owner}: checkpoint folder not found: '{folder}'. Nothing is downloaded: give the "
            f"folder holding {CONFIG_FILE} and the model weights"
        )
        raise WeightsNotFoundError(msg)
    if not (folder / CONFIG_FILE).is_file():
        msg = f"{owner}: '{folder}' has no {CONFIG_FILE} (the open_clip model configuration)"
        raise WeightsNotFoundError(msg)
    if not any(any(folder.glob(pattern)) for pattern in WEIGHT_PATTERNS):
        patterns = ", ".join(WEIGHT_PATTERNS)
        msg = f"{owner}: '{folder}' holds no weights file ({patterns})"
        raise WeightsNotFoundError(msg)
    return folder


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    first, second = value
    return int(first), int(second)


def load_open_clip(path: str, owner: str) -> OpenClipBundle:
    """Load the open_clip checkpoint folder ``path`` for ``owner`` (quoted in errors), frozen.

    Raises:
        WeightsNotFoundError: the folder, its configuration or its weights are missing.
        MissingTextExtraError: open_clip is not installed (the ``text`` extra).
    """
    folder = check_checkpoint_folder(path, owner)
    try:
        import open_clip
    except ImportError as error:
        raise missing_text_extra(error, feature="open_clip", path=str(folder)) from error
    source = f"local-dir:{folder}"
    # no base tower weights either: only what is in the folder is loaded
    model = open_clip.create_model(
        source, pretrained_image=False, pretrained_text=False, require_pretrained=True
    )
    model.eval().requires_grad_(False)
    tokenizer = open_clip.get_tokenizer(source)
    visual = model.visual
    mean = getattr(visual, "image_mean", None) or OPENAI_MEAN
    std = getattr(visual, "image_std", None) or OPENAI_STD
    return OpenClipBundle(
        model=model,
        tokenizer=tokenizer,
        image_size=_pair(visual.image_size),
        image_mean=(float(mean[0]), float(mean[1]), float(mean[2])),
        image_std=(float(std[0]), float(std[1]), float(std[2])),
    )


def text_output_norm(model: nn.Module) -> nn.LayerNorm:
    """The last norm of the text tower, whose output holds the token embeddings."""
    for owner in (model, getattr(model, "text", None)):
        norm = getattr(owner, "ln_final", None)
        if isinstance(norm, nn.LayerNorm):
            return norm
    msg = f"open_clip model {type(model).__name__} exposes no text token embeddings (no ln_final)"
    raise ValueError(msg)
