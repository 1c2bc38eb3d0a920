"""Degradation stage lists in specs: validation with positions, the DataModule and ``gan-engine degrade``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from containers.application import ApplicationContainer
from containers.cli.main import main
from containers.spec.loader import load_spec, load_spec_text, spec_from_dict
from containers.spec.problems import SpecError
from containers.spec.resolved import spec_to_dict
from gan_engine.degradation_spec import DegradationStageSpec
from gan_engine.degradations.noise import GaussianNoiseParams

BASE = """\
Data:
  dataset: sample_photos
  params:
    patch_size: 32
    val_patch_size: 64
    samples_per_epoch: 4
    val_images: [chelsea, coffee]
    degradation:
{stages}
  channels: 3
  scale: 2
  batch_size: 2
  val_batch_size: 2
Generator:
  name: srresnet
  params: {{n_channels: 8, n_blocks: 1}}
Losses:
  - name: l1
"""

GOOD = """\
      - name: blur
        p: 0.5
        params: {kernel_size: [3, 7]}
      - name: resize
      - name: gaussian_noise
        params: {sigma: [0.01, 0.05]}
      - name: jpeg
        params: {codec: dct}
      - name: pool
        params: {queue_size: 4}
"""


def _spec(stages: str) -> str:
    return BASE.format(stages=stages)


def test_a_stage_list_is_structured_into_each_stage_class() -> None:
    spec = load_spec_text(_spec(GOOD), "good.yaml")
    stages = spec.Data.params.degradation
    assert [s.name for s in stages] == ["blur", "resize", "gaussian_noise", "jpeg", "pool"]
    assert all(isinstance(s, DegradationStageSpec) for s in stages)
    assert stages[0].p == 0.5
    assert stages[2].params == GaussianNoiseParams(sigma=(0.01, 0.05))


def test_the_resolved_spec_round_trips() -> None:
    spec = load_spec_text(_spec(GOOD), "good.yaml")
    again = spec_from_dict(spec_to_dict(spec))
    assert again.Data.params.degradation == spec.Data.params.degradation


def test_simple_modes_stay_valid() -> None:
    spec = load_spec_text(_spec("      area").replace("degradation:\n", "degradation:"), "x.yaml")
    assert spec.Data.params.degradation == "area"


def test_every_stage_problem_is_reported_with_file_line_and_key() -> None:
    stages = """\
      - name: blurr
      - name: resize
        p: 0.5
        params: {directions: {up: 0.5, down: 0.6}}
      - name: gaussian_noise
        p: 1.5
        params: {sigma: [0.2, 0.1], colour: 1}
      - name: pool
        params: {queue_size: 3}
      - name: jpeg
        params: {quality: [0, 50]}
"""
    with pytest.raises(SpecError) as caught:
        load_spec_text(_spec(stages), "bad.yaml")
    text = str(caught.value)
    expected = [
        "bad.yaml:9:15: Data.params.degradation.0.name: unknown degradation 'blurr' (did you mean 'blur'?)",
        "bad.yaml:11:12: Data.params.degradation.1.p: stage 'resize' acts on the whole batch, so p must be 1",
        "Data.params.degradation.1.params.directions: the probabilities must sum to 1, they sum to 1.1",
        "bad.yaml:14:12: Data.params.degradation.2.p: a probability must be in [0, 1], got 1.5",
        "Data.params.degradation.2.params.sigma: expected [low, high] with low <= high",
        "Data.params.degradation.2.params: unknown key 'colour'",
        "Data.params.degradation.3.name: the 'pool' stage must be the last stage",
        "Data.params.degradation.3.params.queue_size: must be a multiple of Data.batch_size (2), got 3",
        "Data.params.degradation.4.params.quality: expected [low, high] with 1 <= low <= high <= 100",
    ]
    for line in expected:
        assert line in text


def test_interpolations_are_checked_against_the_dims() -> None:
    stages = "      - name: resize\n        params: {modes: {trilinear: 1.0}}\n"
    with pytest.raises(SpecError, match=r"modes\.trilinear: not available in 2D"):
        load_spec_text(_spec(stages), "dims.yaml")


def test_the_datamodule_degrades_batches_reproducibly() -> None:
    spec = load_spec_text(_spec(GOOD), "good.yaml")
    app = ApplicationContainer(spec=spec, run_dir=Path("unused"))
    datamodule = app.data.datamodule()
    datamodule.setup("fit")
    batch = next(iter(datamodule.val_dataloader()))
    assert batch["degradation_seed"].dtype == torch.int64
    plain = batch["lr"].clone()
    first = datamodule.degrade(dict(batch), training=False)  # type: ignore[arg-type]
    second = datamodule.degrade(dict(batch), training=False)  # type: ignore[arg-type]
    assert "degradation_seed" not in first
    assert first["lr"].shape == plain.shape == (2, 3, 32, 32)
    assert torch.equal(first["lr"], second["lr"])
    assert not torch.equal(first["lr"], plain)


def test_degrade_command_writes_pairs_and_a_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(_spec(GOOD))
    out = tmp_path / "pairs"
    assert main(["degrade", str(spec), "--out", str(out), "--n", "3"]) == 0
    assert "Wrote 3 LR/HR pairs made by the degradation stages" in capsys.readouterr().out
    lr, hr = np.load(out / "002_lr.npy"), np.load(out / "002_hr.npy")
    assert lr.shape == (3, 16, 16)
    assert hr.shape == (3, 32, 32)
    assert lr.min() >= 0
    assert lr.max() <= 255
    grid = Image.open(out / "grid.png")
    assert grid.size == (3 * 36, 3 * 36)


def test_degrade_command_reports_a_bad_spec_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(_spec("      - name: nope\n"))
    assert main(["degrade", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "unknown degradation 'nope'" in err


def test_load_spec_reads_the_shipped_realworld_specs() -> None:
    repo = Path(__file__).resolve().parents[2]
    for name in ("realworld_rgb_x4.yaml", "sentinel2_rcab_x2.yaml", "srresnet3d_x2.yaml"):
        spec = load_spec(repo / "specs" / name)
        assert not isinstance(spec.Data.params.degradation, str), name
