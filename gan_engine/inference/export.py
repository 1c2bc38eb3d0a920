"""Exporting a generator: safetensors weights, TorchScript and ONNX programs.

Each writer saves atomically (temporary file beside the target, then rename). Programs take one tensor
``lr[B, C, *S]`` and return ``sr[B, C_out, *(S * scale)]``, with the batch and spatial sizes dynamic;
wrap the generator in :class:`~gan_engine.inference.model.SensorUnitsModel` first to bake the
normaliser in (sensor units in and out), or in :class:`~gan_engine.inference.model.NetworkUnitsModel`
for network units.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, TypeAlias

import torch
from safetensors.torch import save_file
from torch import Tensor, nn

from gan_engine.inference.errors import ExportError
from gan_engine.io.atomic import discard, publish, temporary_beside

ExportFormat: TypeAlias = Literal["safetensors", "torchscript", "onnx"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("safetensors", "torchscript", "onnx")
TorchScriptMethod: TypeAlias = Literal["trace", "script"]

DEFAULT_OPSET = 18
"""ONNX opset written by default (17 is the lowest accepted)."""


def example_input(spatial_dims: int, channels: int, size: int = 16, batch: int = 1) -> Tensor:
    """A random ``[batch, channels, *(size,) * spatial_dims]`` input to trace or export with."""
    generator = torch.Generator().manual_seed(0)
    return torch.rand((batch, channels, *(size,) * spatial_dims), generator=generator)


def export_safetensors(
    module: nn.Module, target: Path, metadata: Mapping[str, str] | None = None
) -> Path:
    """Save ``module``'s state dict to ``target`` (``.safetensors``) with string ``metadata``."""
    state = {key: value.detach().cpu().contiguous() for key, value in module.state_dict().items()}
    temporary = temporary_beside(target, ".safetensors")
    try:
        save_file(state, str(temporary), metadata=dict(metadata or {}))
        publish(temporary, target)
    except BaseException:
        discard(temporary)
        raise
    return target


def export_torchscript(
    module: nn.Module, target: Path, example: Tensor, method: TorchScriptMethod = "trace"
) -> Path:
    """Save ``module`` as TorchScript, traced on ``example`` (and checked on another size) or scripted.

    Raises:
        ExportError: the module cannot be scripted, or its trace does not generalise to other sizes.
    """
    module = module.eval()
    other = torch.cat([example, example], dim=0)
    for axis in range(2, example.ndim):
        other = other.narrow(axis, 0, example.shape[axis] - 2)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            # tracing warns about shape arithmetic; check_inputs verifies the trace instead
            warnings.simplefilter("ignore")
            if method == "script":
                program = torch.jit.script(module)
            else:
                program = torch.jit.trace(  # type: ignore[no-untyped-call]
                    module, example, check_inputs=[(other,)]
                )
    except Exception as error:  # tracing and scripting raise many types
        msg = f"cannot {method} {type(module).__name__} to TorchScript: {type(error).__name__}: {error}"
        raise ExportError(msg) from error
    temporary = temporary_beside(target, ".pt")
    try:
        program.save(str(temporary))  # type: ignore[no-untyped-call]
        publish(temporary, target)
    except BaseException:
        discard(temporary)
        raise
    return target


def export_onnx(
    module: nn.Module, target: Path, example: Tensor, opset: int = DEFAULT_OPSET
) -> Path:
    """Save ``module`` as ONNX (input ``lr``, output ``sr``; batch and spatial axes dynamic).

    Uses the ``torch.export``-based exporter (needs the ``onnxscript`` package).

    Raises:
        ExportError: an opset below 17, or a module the exporter cannot handle.
    """
    if opset < 17:
        msg = f"ONNX opset must be >= 17, got {opset}"
        raise ExportError(msg)
    dynamic = dict.fromkeys([0, *range(2, example.ndim)], torch.export.Dim.AUTO)
    temporary = temporary_beside(target, ".onnx")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module.eval(),
                (example,),
                str(temporary),
                dynamo=True,
                opset_version=opset,
                input_names=["lr"],
                output_names=["sr"],
                dynamic_shapes=(dynamic,),
                external_data=False,
                verbose=False,
            )
        publish(temporary, target)
    except ImportError as error:
        discard(temporary)
        msg = (
            "ONNX export needs the onnx and onnxscript packages: "
            f"pip install 'gan-engine[export]' ({error})"
        )
        raise ExportError(msg) from error
    except Exception as error:
        discard(temporary)
        msg = f"cannot export {type(module).__name__} to ONNX: {type(error).__name__}: {error}"
        raise ExportError(msg) from error
    except BaseException:
        discard(temporary)
        raise
    return target
