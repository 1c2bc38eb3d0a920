"""A checkpoint predicts and exports on a machine without its training data or hook modules.

Prediction and export validate only the model part of the checkpoint's spec (data geometry,
generator, normalisation): a renamed data folder, a missing pretrained file or an uninstalled hook
module must not stop them.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import attrs
import numpy as np
import pytest
from PIL import Image

from containers.cli.main import main
from containers.spec.loader import model_spec_from_dict
from containers.spec.model import ModelDataSpec, model_tree
from containers.spec.problems import SpecError
from containers.spec.schema import DataSpec
from gan_engine.inference.checkpoint import read_checkpoint
from tests.containers.conftest import FAST, QUICKSTART

HOOK = '''
def remember(module, outputs):
    """A training-only hook that lives in the training machine's own module."""
'''


def _photos(folder: Path, count: int, size: int = 48) -> None:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    for index in range(count):
        pixels = rng.integers(0, 255, size=(size, size + 8, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"photo{index}.png")


def test_checkpoint_predicts_and_exports_without_data_folder_or_hook_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    photos, hooks = tmp_path / "photos", tmp_path / "hooks"
    _photos(photos, 4)
    hooks.mkdir()
    (hooks / "travel_hook_module.py").write_text(HOOK)
    monkeypatch.syspath_prepend(str(hooks))
    run_dir = tmp_path / "run"
    overrides = [
        *FAST,
        f"Logging.run_root={tmp_path / 'runs'}",
        f"Data.params={{root: {photos}, val_count: 1, patch_size: 32, val_patch_size: 32}}",
        "Data.dataset=rgb_folder",
        "Callbacks.extra_validation=[travel_hook_module:remember]",
    ]
    args = ["train", str(QUICKSTART), "--run-dir", str(run_dir)]
    for override in overrides:
        args += ["--set", override]
    assert main(args) == 0
    checkpoint = run_dir / "checkpoints" / "last.ckpt"
    assert read_checkpoint(checkpoint).spec["Data"]["params"]["root"] == str(photos)

    # another machine: no data folder, no hook module
    inputs = tmp_path / "inputs"
    _photos(inputs, 1, size=20)
    shutil.rmtree(photos)
    shutil.rmtree(hooks)
    monkeypatch.delitem(sys.modules, "travel_hook_module", raising=False)
    capsys.readouterr()
    out = tmp_path / "out"
    predict = ["predict", str(checkpoint), str(inputs), "--out", str(out), "--no-progress"]
    assert main([*predict, "--accelerator", "cpu"]) == 0, capsys.readouterr().err
    with Image.open(out / "photo0.png") as image:
        assert image.size == (4 * 28, 4 * 20)
    target = tmp_path / "export" / "model.safetensors"
    assert main(["export", str(checkpoint), "--out", str(target), "--format", "safetensors"]) == 0
    assert target.is_file()


def test_model_spec_keeps_only_what_rebuilds_the_model() -> None:
    tree = {
        "Data": {"dataset": "rgb_folder", "params": {"root": "gone"}, "channels": 4, "scale": 2},
        "Generator": {"name": "srresnet", "params": {"n_blocks": 1}, "pretrained": "gone.pt"},
        "Losses": [{"name": "no_such_loss"}],
        "Callbacks": {"extra_validation": ["no_such_module:hook"]},
    }
    assert model_tree(tree) == {
        "Data": {"channels": 4, "scale": 2},
        "Generator": {"name": "srresnet", "params": {"n_blocks": 1}},
    }
    spec = model_spec_from_dict(tree, source="c.ckpt (resolved spec)")
    assert (spec.Data.channels, spec.Data.scale, spec.Data.spatial_dims) == (4, 2, 2)
    assert spec.Generator.pretrained is None
    assert spec.Generator.params.n_blocks == 1  # structured into the generator's own class


def test_model_spec_errors_name_the_checkpoint_and_key() -> None:
    tree = {"Data": {"channels": 0}, "Generator": {"name": "no_such_generator"}}
    with pytest.raises(SpecError) as caught:
        model_spec_from_dict(tree, source="c.ckpt (resolved spec)")
    text = str(caught.value)
    assert "c.ckpt (resolved spec)" in text
    assert "Data.channels" in text
    assert "Generator.name" in text
    assert "no_such_generator" in text


def test_model_data_defaults_are_the_run_defaults() -> None:
    run = DataSpec(dataset="any")
    model = ModelDataSpec()
    assert attrs.astuple(model) == (run.dimensions, run.channels, run.scale)
