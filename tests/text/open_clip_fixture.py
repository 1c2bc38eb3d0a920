"""A tiny random open_clip checkpoint folder, written on the fly (needs the ``text`` extra)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

TINY_CONFIG = {
    "embed_dim": 8,
    "vision_cfg": {"image_size": 16, "layers": 1, "width": 16, "patch_size": 8, "head_width": 8},
    "text_cfg": {"context_length": 12, "vocab_size": 49408, "width": 16, "heads": 2, "layers": 1},
}


def write_tiny_open_clip(folder: Path, seed: int = 0) -> Path:
    """Write ``open_clip_config.json`` and random weights of a tiny CLIP into ``folder``."""
    open_clip = pytest.importorskip("open_clip")
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    model = open_clip.model.CLIP(**TINY_CONFIG)
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": TINY_CONFIG}))
    state = {name: value.contiguous() for name, value in model.state_dict().items()}
    save_file(state, str(folder / "open_clip_model.safetensors"))
    return folder
