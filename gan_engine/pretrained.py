"""Pretrained backbone weights for losses and metrics, from local files only (nothing is downloaded).

Shared by :mod:`gan_engine.losses` and :mod:`gan_engine.metrics`, which may not import each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
from torch import Tensor, nn

from gan_engine.errors import WeightsNotFoundError


def hub_checkpoints() -> Path:
    """``$TORCH_HOME/hub/checkpoints``, the folder torchvision caches weights in."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def resolve_weights(
    loss: str, filename: str, *, pretrained: bool, weights_path: str | None
) -> Path | None:
    """The weight file to load: ``weights_path``, else ``filename`` in the torch hub cache.

    Args:
        loss: the loss or metric name, quoted in errors.
        filename: torchvision's file name, e.g. ``vgg19-dcbb9e9d.pth``.
        pretrained: whether pretrained weights are wanted at all.
        weights_path: an explicit file that replaces the cache lookup.

    Returns:
        The file, or ``None`` when ``pretrained`` is false and no ``weights_path`` is given.

    Raises:
        WeightsNotFoundError: the file is missing; the message names the file and its folder.
    """
    if weights_path is not None:
        path = Path(weights_path).expanduser()
        if not path.is_file():
            msg = (
                f"{loss}: weights_path not found: '{path}'. Put the file '{path.name}' into the folder "
                f"'{path.parent.resolve()}', or fix weights_path."
            )
            raise WeightsNotFoundError(msg)
        return path
    if not pretrained:
        return None
    folder = hub_checkpoints()
    path = folder / filename
    if not path.is_file():
        msg = (
            f"{loss}: pretrained weights not found: '{path}'. Nothing is downloaded: put the file "
            f"'{filename}' (https://download.pytorch.org/models/{filename}) into the folder "
            f"'{folder}' (set TORCH_HOME to use another cache), give weights_path, or set "
            f"pretrained: false for a random backbone."
        )
        raise WeightsNotFoundError(msg)
    return path


def load_state_file(loss: str, path: Path) -> dict[str, Tensor]:
    """Read a ``state_dict`` saved with ``torch.save`` (tensors only, ``weights_only=True``)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # corrupt, truncated, or not a torch file: name the file
        msg = f"{loss}: cannot read weights from '{path}': {type(error).__name__}: {error}"
        raise WeightsNotFoundError(msg) from error
    if not isinstance(state, Mapping):
        msg = f"{loss}: '{path}' holds a {type(state).__name__}, expected a state_dict (a mapping)"
        raise WeightsNotFoundError(msg)
    return {str(key): value for key, value in state.items() if isinstance(value, Tensor)}


def load_renamed(
    loss: str,
    network: nn.Module,
    state: Mapping[str, Tensor],
    source_key: dict[str, str],
    path: Path,
) -> None:
    """Copy ``state[source_key[k]]`` into ``network``'s entry ``k``, for every entry, strictly.

    Raises:
        WeightsNotFoundError: a tensor is missing from the file or has the wrong shape.
    """
    target = network.state_dict()
    if set(source_key) != set(target):
        msg = f"{loss}: the key map does not cover the network's state exactly (a bug)"
        raise RuntimeError(msg)
    missing = sorted(source for source in source_key.values() if source not in state)
    if missing:
        shown = ", ".join(missing[:4]) + (" …" if len(missing) > 4 else "")
        msg = f"{loss}: '{path}' lacks {len(missing)} expected tensors ({shown})"
        raise WeightsNotFoundError(msg)
    renamed = {key: state[source] for key, source in source_key.items()}
    wrong = [
        f"{source_key[key]} {tuple(value.shape)} (expected {tuple(target[key].shape)})"
        for key, value in renamed.items()
        if value.shape != target[key].shape
    ]
    if wrong:
        msg = f"{loss}: '{path}' has tensors of the wrong shape: {', '.join(wrong[:4])}"
        raise WeightsNotFoundError(msg)
    network.load_state_dict(renamed, strict=True)
