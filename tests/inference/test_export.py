"""Exported generators compute what PyTorch computes: safetensors, TorchScript, ONNX."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import safe_open

from containers.export import export_checkpoint, spec_path
from containers.predict import load_model
from containers.spec.loader import spec_from_dict
from gan_engine.generators.srresnet import SRResNet, SRResNetParams
from gan_engine.inference.errors import ExportError, OutputError
from gan_engine.inference.export import example_input, export_onnx, export_torchscript
from gan_engine.inference.model import NetworkUnitsModel, SensorUnitsModel
from gan_engine.weights import load_strict, read_state_dict
from tests.inference.models import tiny_srresnet

TOLERANCE = {"atol": 1e-4, "rtol": 1e-4}


def _reference(checkpoint: Path, x: torch.Tensor, *, sensor_units: bool = False) -> torch.Tensor:
    model = load_model(checkpoint)
    module = (
        SensorUnitsModel(model.generator, model.normaliser)
        if sensor_units
        else NetworkUnitsModel(model.generator)
    )
    with torch.no_grad():
        return module.eval()(x)


def test_safetensors_export_reloads_strictly_with_its_spec(
    checkpoint: Path, tmp_path: Path
) -> None:
    target = tmp_path / "model.safetensors"
    result = export_checkpoint(checkpoint, "safetensors", target)
    assert result.spec == spec_path(target) == tmp_path / "model.spec.json"
    spec = spec_from_dict(json.loads(result.spec.read_text()))
    assert spec.Generator.name == "srresnet"
    fresh = load_model(checkpoint).generator
    with torch.no_grad():
        for parameter in fresh.parameters():
            parameter.zero_()
    load_strict(fresh, read_state_dict(target), target)
    x = torch.rand(2, 3, 12, 10)
    with torch.no_grad():
        torch.testing.assert_close(fresh(x), _reference(checkpoint, x), atol=0, rtol=0)
    with safe_open(str(target), "pt") as stored:
        metadata = stored.metadata()
    assert json.loads(metadata["gan_engine.spec"]) == json.loads(result.spec.read_text())
    assert set(json.loads(metadata["gan_engine.normaliser"])) == {
        "lr.shift",
        "lr.scale",
        "hr.shift",
        "hr.scale",
    }
    with pytest.raises(OutputError, match="exists"):
        export_checkpoint(checkpoint, "safetensors", target)


@pytest.mark.parametrize("sensor_units", [False, True])
def test_torchscript_export_matches_pytorch_at_other_sizes(
    checkpoint: Path, tmp_path: Path, sensor_units: bool
) -> None:
    target = tmp_path / "model.pt"
    export_checkpoint(checkpoint, "torchscript", target, sensor_units=sensor_units)
    program = torch.jit.load(str(target))
    x = torch.rand(2, 3, 11, 19) * (255 if sensor_units else 1)
    with torch.no_grad():
        torch.testing.assert_close(
            program(x), _reference(checkpoint, x, sensor_units=sensor_units), **TOLERANCE
        )


def test_onnx_export_matches_pytorch_with_dynamic_sizes(checkpoint: Path, tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")
    target = tmp_path / "model.onnx"
    export_checkpoint(checkpoint, "onnx", target, sensor_units=True)
    model = onnx.load(str(target))
    assert max(op.version for op in model.opset_import if op.domain in ("", "ai.onnx")) >= 17
    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    for shape in [(1, 3, 16, 16), (2, 3, 13, 21)]:
        x = torch.rand(shape) * 255
        (out,) = session.run(None, {"lr": x.numpy()})
        expected = _reference(checkpoint, x, sensor_units=True).numpy()
        np.testing.assert_allclose(out, expected, atol=1e-2, rtol=1e-4)  # 0..255 units


def test_3d_generators_export_to_onnx_and_torchscript(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    module = NetworkUnitsModel(tiny_srresnet(3, 1, 2, seed=9)).eval()
    example = example_input(3, 1, size=8)
    export_onnx(module, tmp_path / "vol.onnx", example)
    export_torchscript(module, tmp_path / "vol.pt", example)
    x = torch.rand(1, 1, 6, 9, 7)
    with torch.no_grad():
        expected = module(x)
    session = ort.InferenceSession(str(tmp_path / "vol.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"lr": x.numpy()})[0], expected.numpy(), atol=1e-4)
    torch.testing.assert_close(torch.jit.load(str(tmp_path / "vol.pt"))(x), expected, **TOLERANCE)


def test_paper_tail_computed_before_the_last_shuffle_exports(tmp_path: Path) -> None:
    # the 9x9 tail to 4 bands runs on a coarse kernel derived from its weight (shuffled_conv):
    # ONNX and the trace must carry that derivation and generalise to other sizes
    ort = pytest.importorskip("onnxruntime")
    torch.manual_seed(3)
    params = SRResNetParams(n_channels=4, n_blocks=1, head_kernel_size=9)
    module = NetworkUnitsModel(SRResNet(2, 4, 4, 4, params)).eval()
    example = example_input(2, 4, size=12)
    export_onnx(module, tmp_path / "m.onnx", example)
    export_torchscript(module, tmp_path / "m.pt", example)
    x = torch.rand(1, 4, 9, 14)
    with torch.no_grad():
        expected = module(x)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"lr": x.numpy()})[0], expected.numpy(), atol=1e-4)
    torch.testing.assert_close(torch.jit.load(str(tmp_path / "m.pt"))(x), expected, **TOLERANCE)


def test_export_errors_are_clear(tmp_path: Path) -> None:
    module = NetworkUnitsModel(tiny_srresnet(2, 1, 2)).eval()
    with pytest.raises(ExportError, match="opset must be >= 17"):
        export_onnx(module, tmp_path / "m.onnx", example_input(2, 1), opset=13)
    with pytest.raises(ExportError, match="cannot script"):
        export_torchscript(module, tmp_path / "m.pt", example_input(2, 1), method="script")
    assert not list(tmp_path.iterdir())
