"""`gan-engine convert opensr`: specs check and train, checkpoints predict GeoTIFFs, bad input exits 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from containers.builders import build_generator
from containers.cli.main import main
from containers.spec.loader import load_spec
from tests.containers.convert.conftest import FIXTURES

rasterio = pytest.importorskip("rasterio")
from rasterio.crs import CRS  # noqa: E402
from rasterio.transform import from_origin  # noqa: E402

FAST = [
    "Data.params={patch_size: 16, val_patch_size: 32, samples_per_epoch: 4}",
    "Training.pretrain_steps=1",
    "Training.max_generator_steps=2",
    "Trainer.max_epochs=1",
    "Trainer.limit_val_batches=1",
    "Trainer.enable_progress_bar=false",
    "Trainer.enable_model_summary=false",
]


def _convert(tmp_path: Path, case: str, checkpoint: bool = True) -> Path:
    out = tmp_path / "converted"
    args = ["convert", "opensr", str(FIXTURES / f"{case}.yaml")]
    args += [str(FIXTURES / f"{case}.ckpt")] if checkpoint else []
    assert main([*args, "--out", str(out)]) == 0
    return out


def test_converted_spec_passes_check_and_trains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _convert(tmp_path, "flexible_res", checkpoint=False)
    assert not (out / "model.ckpt").exists()
    assert main(["check", str(out / "spec.yaml")]) == 0
    assert "valid" in capsys.readouterr().out
    args = ["train", str(out / "spec.yaml"), "--run-dir", str(tmp_path / "run")]
    for override in [*FAST, f"Logging.run_root={tmp_path / 'runs'}"]:
        args += ["--set", override]
    assert main(args) == 0
    last = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt", weights_only=True)
    assert last["gan_engine"]["generator_steps"] == 2
    assert last["gan_engine"]["spec"]["Generator"]["params"]["block"] == "res"


def test_converted_checkpoint_predicts_a_georeferenced_4_band_geotiff(tmp_path: Path) -> None:
    out = _convert(tmp_path, "flexible_rrdb")
    rng = np.random.default_rng(0)
    data = rng.integers(1, 10000, size=(4, 72, 66), dtype=np.uint16)
    source = tmp_path / "scene.tif"
    transform = from_origin(500000.0, 4600000.0, 10.0, 10.0)
    profile = {"driver": "GTiff", "width": 66, "height": 72, "count": 4, "dtype": "uint16"}
    with rasterio.open(source, "w", crs=CRS.from_epsg(32633), transform=transform, **profile) as f:
        f.write(data)
    args = ["predict", str(out / "model.ckpt"), str(source), "--out", str(tmp_path / "sr")]
    assert main([*args, "--tile", "64", "--accelerator", "cpu", "--no-progress"]) == 0
    with rasterio.open(tmp_path / "sr" / "scene.tif") as result:
        assert (result.count, result.height, result.width) == (4, 144, 132)
        assert result.crs == CRS.from_epsg(32633)
        assert result.transform == from_origin(500000.0, 4600000.0, 5.0, 5.0)
        assert result.read().std() > 0


def test_a_gan_engine_spec_is_refused_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = Path(__file__).resolve().parents[3] / "specs" / "quickstart.yaml"
    assert main(["convert", "opensr", str(spec), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "not an opensr-srgan config" in err
    assert "Normalisation" in err
    assert not (tmp_path / "x").exists()


def test_a_checkpoint_whose_shapes_disagree_with_its_config_names_the_tensor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = yaml.safe_load((FIXTURES / "flexible_res.yaml").read_text())
    config["Generator"]["n_channels"] = 24
    path = tmp_path / "wider.yaml"
    path.write_text(yaml.safe_dump(config))
    args = ["convert", "opensr", str(path), str(FIXTURES / "flexible_res.ckpt")]
    assert main([*args, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "generator.head.0.weight has shape (16, 4, 9, 9), the config needs (24, 4, 9, 9)" in err
    assert not (tmp_path / "x").exists()


def test_a_checkpoint_of_another_layout_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["convert", "opensr", str(FIXTURES / "esrgan.yaml"), str(FIXTURES / "flexible_res.ckpt")]
    assert main([*args, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "generator.head.0.weight" in err
    assert "'esrgan' generator" in err


def test_converted_checkpoint_exports_and_serves_as_pretrained_weights(tmp_path: Path) -> None:
    out = _convert(tmp_path, "flexible_rcab")
    target = tmp_path / "generator.safetensors"
    args = ["export", str(out / "model.ckpt"), "--format", "safetensors", "--out", str(target)]
    assert main(args) == 0
    assert target.is_file()
    spec = yaml.safe_load((out / "spec.yaml").read_text())
    spec["Generator"]["pretrained"] = str(out / "model.ckpt")
    path = tmp_path / "pretrained.yaml"
    path.write_text(yaml.safe_dump(spec))
    assert main(["check", str(path)]) == 0
    generator = build_generator(load_spec(path))
    assert isinstance(generator, torch.nn.Module)
    saved = torch.load(out / "model.ckpt", weights_only=True)["state_dict"]
    for key, value in generator.state_dict().items():
        torch.testing.assert_close(value, saved[f"generator.{key}"])
