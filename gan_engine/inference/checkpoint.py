"""Reading what inference needs from a GAN-Engine training checkpoint.

A checkpoint written by :class:`~gan_engine.training.module.GANModule` holds the generator under
``state_dict["generator.*"]``, the normaliser's buffers under ``state_dict["normaliser.*"]`` and,
under ``checkpoint["gan_engine"]``, the resolved run spec and, when EMA was on, the EMA generator's
state dict (``ema_generator``, same keys as the generator's), which inference prefers. Checkpoints are
read with ``weights_only=True``: no code in them runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import torch
from torch import Tensor

from gan_engine.inference.errors import CheckpointError
from gan_engine.training.module import CHECKPOINT_KEY

EMA_KEY = "ema_generator"
"""Entry of ``checkpoint["gan_engine"]`` holding the EMA generator's state dict."""

StateDict = dict[str, Tensor]


@attrs.frozen(kw_only=True)
class CheckpointContents:
    """The parts of a checkpoint inference uses.

    Attributes:
        path: the checkpoint file.
        spec: the resolved run spec (plain data).
        generator_state: the EMA generator's weights when present, else the generator's.
        normaliser_state: the normaliser's buffers (``lr.*``, ``hr.*``).
        ema: whether ``generator_state`` holds EMA weights.
    """

    path: Path
    spec: Mapping[str, Any]
    generator_state: StateDict
    normaliser_state: StateDict
    ema: bool


def read_checkpoint(path: str | Path) -> CheckpointContents:
    """Read ``path`` and pick out the spec, the (EMA) generator and the normaliser state.

    Raises:
        CheckpointError: the file is missing or unreadable, or it is not a GAN-Engine checkpoint.
    """
    file = Path(path)
    if not file.is_file():
        msg = f"checkpoint {file} does not exist" if not file.exists() else f"{file} is not a file"
        raise CheckpointError(msg)
    try:
        raw = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as error:  # torch.load raises many types for bad or foreign files
        msg = (
            f"cannot read checkpoint {file}: {type(error).__name__}: {error} "
            "(a GAN-Engine checkpoint holds only tensors and plain data)"
        )
        raise CheckpointError(msg) from error
    if not isinstance(raw, Mapping) or not isinstance(raw.get("state_dict"), Mapping):
        msg = f"{file} is not a Lightning checkpoint (no 'state_dict'), so not a GAN-Engine one"
        raise CheckpointError(msg)
    meta = raw.get(CHECKPOINT_KEY)
    if not isinstance(meta, Mapping) or not isinstance(meta.get("spec"), Mapping):
        msg = (
            f"{file} is not a GAN-Engine checkpoint: it has no '{CHECKPOINT_KEY}' entry with the "
            "resolved spec (checkpoints written by `gan-engine train` have one)"
        )
        raise CheckpointError(msg)
    state: Mapping[str, Any] = raw["state_dict"]
    generator = _prefixed(state, "generator.", file)
    ema_state = meta.get(EMA_KEY)
    if isinstance(ema_state, Mapping) and ema_state:
        generator = _tensors(ema_state, file, EMA_KEY)
    return CheckpointContents(
        path=file,
        spec=meta["spec"],
        generator_state=generator,
        normaliser_state=_prefixed(state, "normaliser.", file, required=False),
        ema=isinstance(ema_state, Mapping) and bool(ema_state),
    )


def _prefixed(
    state: Mapping[str, Any], prefix: str, file: Path, *, required: bool = True
) -> StateDict:
    found = {key[len(prefix) :]: value for key, value in state.items() if key.startswith(prefix)}
    if required and not found:
        msg = f"{file}: its state_dict has no '{prefix}*' keys"
        raise CheckpointError(msg)
    return _tensors(found, file, prefix.rstrip("."))


def _tensors(state: Mapping[str, Any], file: Path, where: str) -> StateDict:
    bad = sorted(str(key) for key, value in state.items() if not isinstance(value, Tensor))
    if bad:
        msg = f"{file}: {where} holds entries that are not tensors: {', '.join(bad[:8])}"
        raise CheckpointError(msg)
    return {str(key): value for key, value in state.items()}
