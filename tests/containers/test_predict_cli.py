"""`gan-engine predict` and `gan-engine export` from the command line, on one and two processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from containers.cli.main import _parser, main
from gan_engine.inference.predictor import PredictOptions
from tests.inference.models import train_checkpoint

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_checkpoint(tmp_path_factory.mktemp("trained"))


def _photos(folder: Path, count: int, mode: str = "RGB") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    paths = []
    for index in range(count):
        shape = (24 + 4 * index, 30) + ((3,) if mode == "RGB" else ())
        path = folder / f"photo{index}.png"
        Image.fromarray(rng.integers(0, 255, size=shape, dtype=np.uint8), mode=mode).save(path)
        paths.append(path)
    return paths


def test_predict_writes_every_input_into_the_output_folder(
    checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = _photos(tmp_path / "in", 2)
    out = tmp_path / "out"
    args = ["predict", str(checkpoint), str(tmp_path / "in"), "--out", str(out)]
    args += ["--tile", "32", "--accelerator", "cpu", "--no-progress", "--suffix", "_x4"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    for path in inputs:
        target = out / f"{path.stem}_x4.png"
        assert f"{path} -> {target}" in printed
        with Image.open(path) as small, Image.open(target) as large:
            assert large.size == (4 * small.size[0], 4 * small.size[1])
            assert large.mode == "RGB"
    assert main(args) == 2  # outputs exist now
    assert "exists; pass overwrite" in capsys.readouterr().err
    assert main([*args, "--overwrite"]) == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("gray", "has 1 band(s)"),
        ("same_folder", "is the input"),
        ("unreadable", "cannot read image"),
        ("not_a_checkpoint", "not a GAN-Engine checkpoint"),
        ("missing", "does not exist"),
    ],
)
def test_predict_reports_user_errors_with_status_2(
    checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, message: str
) -> None:
    folder = tmp_path / "in"
    (source,) = _photos(folder, 1, mode="L" if case == "gray" else "RGB")
    before = source.read_bytes()
    model, out = checkpoint, tmp_path / "out"
    if case == "same_folder":
        out = folder
    elif case == "unreadable":
        source.write_bytes(b"garbage")
        before = source.read_bytes()
    elif case == "not_a_checkpoint":
        model = tmp_path / "other.ckpt"
        torch.save({"state_dict": {}}, model)
    elif case == "missing":
        source = folder / "nowhere.png"
    status = main(["predict", str(model), str(source), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err
    assert "Traceback" not in err
    if source.exists():
        assert source.read_bytes() == before


def test_export_writes_the_model_and_its_spec(
    checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "model.safetensors"
    assert main(["export", str(checkpoint), "--format", "safetensors", "--out", str(target)]) == 0
    assert "Exported the generator" in capsys.readouterr().out
    assert target.is_file()
    assert (tmp_path / "model.spec.json").is_file()
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"nope")
    assert main(["export", str(bad), "--format", "onnx", "--out", str(tmp_path / "m.onnx")]) == 2
    assert "cannot read checkpoint" in capsys.readouterr().err


def test_two_ddp_processes_share_the_files_and_write_each_once(
    checkpoint: Path, tmp_path: Path
) -> None:
    inputs = _photos(tmp_path / "in", 3)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "containers.cli.main", "predict", str(checkpoint)]
    command += [*map(str, inputs), "--out", str(out), "--tile", "32", "--no-progress"]
    command += ["--accelerator", "cpu", "--devices", "2", "--strategy", "ddp"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "GLOBAL_RANK: 1" in done.stderr + done.stdout  # a second process really ran
    lines = [line for line in done.stdout.splitlines() if " -> " in line]
    assert sorted(line.split(" -> ")[0] for line in lines) == sorted(map(str, inputs))
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in inputs)


def test_predict_layout_and_precision_default_to_auto_and_honour_flags() -> None:
    base = ["predict", "model.ckpt", "in.tif", "--out", "out"]
    assert _parser().parse_args(base).channels_last == "auto"
    assert _parser().parse_args([*base, "--channels-last"]).channels_last is True
    assert _parser().parse_args([*base, "--no-channels-last"]).channels_last is False
    assert _parser().parse_args(base).precision == "auto"
    assert _parser().parse_args([*base, "--precision", "32"]).precision == "32"
    assert _parser().parse_args([*base, "--precision", "bf16"]).precision == "bf16-mixed"
    assert PredictOptions().channels_last == "auto"
    assert PredictOptions().precision == "auto"


def test_predict_rejects_an_unknown_precision(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["predict", "model.ckpt", "in.tif", "--out", "out"]
    with pytest.raises(SystemExit):
        _parser().parse_args([*base, "--precision", "64"])
    assert "expected one of 'auto', '32'" in capsys.readouterr().err


def test_predict_compiles_only_when_asked() -> None:
    base = ["predict", "model.ckpt", "in.tif", "--out", "out"]
    assert _parser().parse_args(base).compile is False
    assert _parser().parse_args([*base, "--compile"]).compile is True


def test_predict_chooses_the_tile_from_max_memory_and_says_why(
    checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _photos(tmp_path / "in", 1)
    out = tmp_path / "out"
    args = ["predict", str(checkpoint), str(tmp_path / "in"), "--out", str(out)]
    args += ["--accelerator", "cpu", "--no-progress"]
    assert main([*args, "--max-memory", "4MiB"]) == 0
    printed = capsys.readouterr().out
    tile_lines = [line for line in printed.splitlines() if line.startswith("Tile: tile ")]
    assert len(tile_lines) == 1
    assert "budget 4.0 MiB (max_memory, --max-memory)" in tile_lines[0]
    assert "activations" in tile_lines[0]
    small = int(tile_lines[0].split()[2])
    assert main([*args, "--overwrite", "--max-memory", "1GiB"]) == 0
    large = next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith("Tile: tile ")
    )
    assert int(large.split()[2]) > small


def test_a_bad_max_memory_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _parser().parse_args(["predict", "model.ckpt", "in", "--max-memory", "2 lots"])
    assert exit_info.value.code == 2
    assert "expected a memory size such as 2GiB" in capsys.readouterr().err
