"""Exporting a checkpoint's generator (EMA weights when present) with its resolved spec beside it.

``safetensors`` writes the generator's state dict, with the spec and the normaliser's buffers as JSON
in the file's metadata (``gan_engine.spec``, ``gan_engine.normaliser``); ``torchscript`` and ``onnx``
write programs taking ``lr[B, C, *S]`` — in network units, or in sensor units with ``sensor_units``
(the normaliser baked in). Every format also gets ``<stem>.spec.json``: the resolved spec, loadable
with :func:`~containers.spec.spec_from_dict` (the model part alone, wherever the training data are absent,
with :func:`~containers.spec.loader.model_spec_from_dict`).
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
from torch import nn

from containers.predict import load_model
from gan_engine.inference.errors import OutputError
from gan_engine.inference.export import (
    DEFAULT_OPSET,
    ExportFormat,
    TorchScriptMethod,
    example_input,
    export_onnx,
    export_safetensors,
    export_torchscript,
)
from gan_engine.inference.model import NetworkUnitsModel, SensorUnitsModel, as_module
from gan_engine.io.atomic import discard, publish, temporary_beside

SPEC_SUFFIX = ".spec.json"


@attrs.frozen(kw_only=True)
class ExportResult:
    """The files an export wrote and whether they hold EMA weights."""

    model: Path
    spec: Path
    ema: bool


def spec_path(target: Path) -> Path:
    """Where the spec JSON of an exported ``target`` goes: ``<stem>.spec.json`` beside it."""
    return target.with_name(target.stem + SPEC_SUFFIX)


def export_checkpoint(
    checkpoint: str | Path,
    fmt: ExportFormat,
    target: Path,
    *,
    sensor_units: bool = False,
    opset: int = DEFAULT_OPSET,
    method: TorchScriptMethod = "trace",
    overwrite: bool = False,
) -> ExportResult:
    """Export the generator of ``checkpoint`` to ``target`` in ``fmt``.

    Raises:
        CheckpointError: not a GAN-Engine checkpoint.
        ExportError: the generator cannot be exported in ``fmt``.
        OutputError: ``target`` exists and ``overwrite`` is false, or it is the checkpoint.
    """
    model = load_model(checkpoint)
    source = Path(checkpoint)
    for path in (target, spec_path(target)):
        if path.resolve() == source.resolve():
            msg = f"export target {path} is the checkpoint itself"
            raise OutputError(msg)
        if path.exists() and not overwrite:
            msg = f"{path} exists; pass overwrite (--overwrite) to replace it"
            raise OutputError(msg)
    spec_json = json.dumps(model.contents.spec, indent=2, sort_keys=True)
    generator = as_module(model.generator, "generator").eval()
    if fmt == "safetensors":
        normaliser = as_module(model.normaliser, "normaliser")
        buffers = {key: value.tolist() for key, value in normaliser.state_dict().items()}
        metadata = {
            "gan_engine.spec": spec_json,
            "gan_engine.normaliser": json.dumps(buffers),
            "gan_engine.weights": "ema" if model.contents.ema else "generator",
        }
        export_safetensors(generator, target, metadata)
    else:
        program: nn.Module = (
            SensorUnitsModel(model.generator, model.normaliser)
            if sensor_units
            else NetworkUnitsModel(model.generator)
        )
        example = example_input(model.generator.spatial_dims, model.generator.in_channels)
        if fmt == "torchscript":
            export_torchscript(program.eval(), target, example, method)
        else:
            export_onnx(program.eval(), target, example, opset)
    written = _write_text(spec_path(target), spec_json + "\n")
    return ExportResult(model=target, spec=written, ema=model.contents.ema)


def _write_text(target: Path, text: str) -> Path:
    temporary = temporary_beside(target, ".json")
    try:
        temporary.write_text(text, encoding="utf-8")
        publish(temporary, target)
    except BaseException:
        discard(temporary)
        raise
    return target
