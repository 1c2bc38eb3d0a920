"""Reading pretrained state dicts from disk and loading them strictly.

Nothing is ever downloaded. Files are read with ``torch.load(..., weights_only=True)`` or as
``.safetensors``; state dicts wrapped the common ways (``params_ema``/``params`` as BasicSR saves
them, ``state_dict`` of a Lightning checkpoint with its ``generator.`` prefix) are unwrapped. Loading
is always strict: missing, unexpected or mis-shaped keys raise an error that names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import torch
from safetensors.torch import load_file
from torch import Tensor, nn

from gan_engine.errors import GanEngineError, WeightsNotFoundError

StateDict = dict[str, Tensor]


@runtime_checkable
class ConvertsStateDict(Protocol):
    """A module that can rename foreign state dicts (e.g. original ESRGAN names) into its own."""

    def convert_state_dict(self, state: StateDict) -> StateDict:
        """Return ``state`` with keys in this module's layout (unchanged when already so)."""
        ...


def read_state_dict(path: str | Path, prefix: str = "generator.") -> StateDict:
    """Read a state dict from ``path`` and unwrap it.

    Accepts ``.safetensors``, plain state dicts, dicts holding one under ``params_ema`` (preferred)
    or ``params``, and Lightning checkpoints, whose ``state_dict`` keys starting with ``prefix`` are
    kept with the prefix removed.
    """
    file = Path(path)
    if not file.is_file():
        msg = f"pretrained weights not found: {file}"
        raise WeightsNotFoundError(msg)
    try:
        if file.suffix == ".safetensors":
            raw: Any = dict(load_file(str(file)))
        else:
            raw = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as error:
        msg = f"cannot read pretrained weights {file}: {error}"
        raise GanEngineError(msg) from error
    if not isinstance(raw, Mapping):
        msg = f"{file} does not hold a state dict (found {type(raw).__name__})"
        raise GanEngineError(msg)
    return _unwrap(raw, prefix, file)


def _unwrap(raw: Mapping[str, Any], prefix: str, file: Path) -> StateDict:
    for key in ("params_ema", "params"):
        if isinstance(raw.get(key), Mapping):
            return _tensors(raw[key], file)
    inner = raw.get("state_dict")
    if isinstance(inner, Mapping):
        kept = {k[len(prefix) :]: v for k, v in inner.items() if k.startswith(prefix)}
        if not kept:
            msg = f"{file}: its state_dict has no keys starting with '{prefix}'"
            raise GanEngineError(msg)
        return _tensors(kept, file)
    return _tensors(raw, file)


def _tensors(state: Mapping[str, Any], file: Path) -> StateDict:
    bad = sorted(key for key, value in state.items() if not isinstance(value, Tensor))
    if bad:
        msg = f"{file}: entries that are not tensors: {', '.join(bad[:8])}"
        raise GanEngineError(msg)
    return dict(state)


def load_strict(module: nn.Module, state: StateDict, source: str | Path) -> None:
    """Load ``state`` into ``module``; a missing, unexpected or mis-shaped key is an error naming it.

    Modules implementing :class:`ConvertsStateDict` first rename foreign layouts into their own.
    """
    if isinstance(module, ConvertsStateDict):
        state = module.convert_state_dict(state)
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    mismatched = sorted(
        f"{key} {tuple(state[key].shape)} vs {tuple(own[key].shape)}"
        for key in set(own) & set(state)
        if state[key].shape != own[key].shape
    )
    problems = []
    if missing:
        problems.append("missing keys: " + _listing(missing))
    if unexpected:
        problems.append("unexpected keys: " + _listing(unexpected))
    if mismatched:
        problems.append("shape mismatches (file vs model): " + _listing(mismatched))
    if problems:
        found = "; ".join(problems)
        msg = f"pretrained weights {source} do not fit {type(module).__name__}: {found}"
        raise GanEngineError(msg)
    module.load_state_dict(state, strict=True)


def _listing(items: list[str], limit: int = 10) -> str:
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown}, … ({len(items) - limit} more)"
