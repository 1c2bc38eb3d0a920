"""An opensr-srgan Lightning checkpoint → a GAN-Engine checkpoint that predict/export/pretrained read.

The generator's live weights go to ``state_dict["generator.*"]``; opensr-srgan's EMA shadow weights
(``ema_state``), when present, become ``checkpoint["gan_engine"]["ema_generator"]``, which inference
prefers; the normaliser's buffers go to ``state_dict["normaliser.*"]``; the resolved spec to
``checkpoint["gan_engine"]["spec"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from containers.builders import build_generator, build_normaliser
from containers.convert.notes import ConversionError, Notes
from containers.convert.opensr_generators import GeneratorMapping
from containers.convert.opensr_weights import StateDict, check_and_load, rename
from containers.spec.resolved import spec_to_dict
from containers.spec.schema import Spec
from gan_engine.training.module import CHECKPOINT_KEY

_PREFIX = "generator."


def read_opensr_checkpoint(path: Path) -> Mapping[str, Any]:
    """Read ``path`` with ``weights_only=True`` (no code in it runs).

    Raises:
        ConversionError: a missing or unreadable file, or one without a ``state_dict``.
    """
    if not path.is_file():
        msg = f"checkpoint {path} does not exist"
        raise ConversionError(msg)
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch.load raises many types for foreign files
        msg = (
            f"cannot read checkpoint {path} with weights_only=True: {type(error).__name__}: {error}"
        )
        raise ConversionError(msg) from error
    if not isinstance(raw, Mapping):
        kind = type(raw).__name__
        msg = f"{path}: expected a Lightning checkpoint (a mapping with 'state_dict'), got {kind}"
        raise ConversionError(msg)
    state = raw.get("state_dict", raw)
    if not isinstance(state, Mapping) or not any(str(key).startswith(_PREFIX) for key in state):
        msg = f"{path}: no 'generator.*' tensors in its state_dict: not an opensr-srgan checkpoint"
        raise ConversionError(msg)
    return raw


def _generator_state(raw: Mapping[str, Any], path: Path, notes: Notes) -> StateDict:
    state: Mapping[str, Any] = raw.get("state_dict", raw)
    generator: StateDict = {}
    others: set[str] = set()
    for key, value in state.items():
        if not isinstance(value, Tensor):
            msg = f"{path}: state_dict entry {key!r} is not a tensor"
            raise ConversionError(msg)
        if key.startswith(_PREFIX):
            generator[key[len(_PREFIX) :]] = value
        else:
            others.add(key.split(".", 1)[0])
    for part in sorted(others):
        notes.ignored(
            f"checkpoint {part}.*",
            "only the generator converts (GAN-Engine builds its discriminator and losses fresh)",
        )
    return generator


def _ema_state(raw: Mapping[str, Any], live: StateDict, path: Path) -> StateDict | None:
    ema = raw.get("ema_state")
    if not isinstance(ema, Mapping):
        return None
    shadow: dict[str, Any] = {
        **dict(ema.get("shadow_params") or {}),
        **dict(ema.get("shadow_buffers") or {}),
    }
    unknown = sorted(set(shadow) - set(live))
    if unknown:
        msg = f"{path}: ema_state holds tensors the generator lacks: {', '.join(unknown[:6])}"
        raise ConversionError(msg)
    return {**live, **{key: value for key, value in shadow.items() if isinstance(value, Tensor)}}


def convert_checkpoint(
    path: Path, mapping: GeneratorMapping, spec: Spec, notes: Notes
) -> dict[str, Any]:
    """The GAN-Engine checkpoint for the opensr-srgan checkpoint ``path`` under ``spec``.

    Raises:
        ConversionError: unreadable, another layout, or tensors whose shapes disagree with the config.
    """
    raw = read_opensr_checkpoint(path)
    live = _generator_state(raw, path, notes)
    ema = _ema_state(raw, live, path)
    states: dict[str, StateDict] = {}
    for label, state in (("generator", live), ("EMA generator", ema)):
        if state is None:
            continue
        module = build_generator(spec)
        if not isinstance(module, nn.Module):
            msg = f"{type(module).__qualname__} is not a torch.nn.Module"
            raise TypeError(msg)
        renamed, origin = rename(mapping.kind, state)
        check_and_load(module, renamed, origin, f"{path} ({label})")
        states[label] = {key: value.detach().clone() for key, value in module.state_dict().items()}
    normaliser = build_normaliser(spec)
    normaliser_state = normaliser.state_dict() if isinstance(normaliser, nn.Module) else {}
    meta: dict[str, Any] = {"spec": spec_to_dict(spec)}
    if "EMA generator" in states:
        meta["ema_generator"] = states["EMA generator"]
    return {
        "epoch": int(raw.get("epoch", 0) or 0),
        "global_step": int(raw.get("global_step", 0) or 0),
        "pytorch-lightning_version": str(raw.get("pytorch-lightning_version", "")),
        "state_dict": {
            **{f"generator.{key}": value for key, value in states["generator"].items()},
            **{f"normaliser.{key}": value for key, value in normaliser_state.items()},
        },
        CHECKPOINT_KEY: meta,
    }
