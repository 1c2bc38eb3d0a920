"""The inpainting and gapfill tasks: what a batch means, compositing, metrics and previews."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from gan_engine.errors import InvalidParamError
from gan_engine.generators.inpainting_unet import InpaintingUNet, InpaintingUNetParams
from gan_engine.masks.choice import MaskChoice
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from gan_engine.protocols import HoleFilling, Task
from gan_engine.registry import TASKS
from gan_engine.tasks.inpainting import GapFill, HoleTaskParams, Inpainting
from gan_engine.types import Conditioning


def batch(scale: int = 1, dims: int = 2) -> dict[str, Any]:
    generator = torch.Generator().manual_seed(0)
    lr = torch.rand(2, 3, *([16] * dims), generator=generator) * 255
    hr = lr if scale == 1 else torch.rand(2, 3, *([16 * scale] * dims), generator=generator) * 255
    holes = torch.zeros(2, 1, *([16] * dims))
    holes[0, 0, 2:6] = 1.0  # 25 %: medium
    holes[1, 0, :9] = 1.0  # 56 %: thick
    return {"lr": lr, "hr": hr, "holes": holes}


NORMALISER = MinMaxNormaliser(3, MinMaxParams(minimum=[0.0], maximum=[255.0]))


def test_registered_and_protocols() -> None:
    assert {"inpainting", "gapfill"} <= set(TASKS.names())
    task = Inpainting(2, 3, 1)
    assert isinstance(task, Task)
    assert isinstance(task, HoleFilling)
    assert task.generator_needs == frozenset({"mask"})
    assert TASKS.get("inpainting").capabilities.scales == frozenset({1})


def test_prepare_hides_the_holes_and_generate_keeps_known_pixels_exactly() -> None:
    task = Inpainting(2, 3, 1)
    raw = batch()
    prepared = task.prepare(raw, NORMALISER)
    holes = raw["holes"].expand_as(raw["lr"]) > 0.5
    assert (prepared.inputs[holes] == 0).all()
    assert isinstance(prepared.cond, Conditioning)
    assert prepared.target_holes is raw["holes"]
    torch.manual_seed(0)
    generator = InpaintingUNet(
        2, 3, 3, 1, InpaintingUNetParams(n_channels=4, depth=2, composite=False)
    )
    output = task.generate(generator, prepared)
    assert torch.equal(output[~holes], prepared.target[~holes])
    image, cond = task.discriminator_view(output, prepared)
    assert image is output
    assert cond is not None
    assert cond.holes is raw["holes"]


def test_validation_reports_holes_composite_bins_baseline_and_preview() -> None:
    task = Inpainting(2, 3, 1)
    raw = batch()
    prepared = task.prepare(raw, NORMALISER)
    result = task.validate(raw, prepared, prepared.target, NORMALISER, 255.0)  # a perfect fill
    metrics = result.metrics
    assert (metrics["psnr_hole"] > 100).all()  # float rounding of normalising only
    assert set(metrics) >= {
        "psnr",
        "ssim",
        "psnr_hole_medium",
        "psnr_hole_thick",
        "psnr_hole_baseline",
    }
    assert "psnr_hole_thin" not in metrics
    assert (metrics["psnr_hole_baseline"] < 60).all()
    again = task.validate(raw, prepared, prepared.target, NORMALISER, 255.0)
    assert torch.equal(again.metrics["psnr_hole_baseline"], metrics["psnr_hole_baseline"])  # cached
    titles = [title for title, _ in result.preview.columns]
    assert titles == ["masked input", "mask", "output", "composite", "target"]
    assert result.headline == "psnr_hole"


def test_gapfill_upsamples_the_holes_and_does_not_composite() -> None:
    task = GapFill(2, 3, 2, HoleTaskParams(baseline="harmonic"))
    raw = batch(scale=2)
    prepared = task.prepare(raw, NORMALISER)
    assert prepared.target_holes is not None
    assert prepared.target_holes.shape == (2, 1, 32, 32)
    assert prepared.target_holes[0, 0, 4:12].all()
    result = task.validate(raw, prepared, prepared.target, NORMALISER, 255.0)
    assert [title for title, _ in result.preview.columns] == [
        "masked input",
        "mask",
        "output",
        "target",
    ]
    assert result.metrics["psnr_baseline"].shape == (2,)


def test_bad_use_is_refused() -> None:
    with pytest.raises(ValueError, match="scale must be 1"):
        Inpainting(2, 3, 2)
    with pytest.raises(ValueError, match="batches need 'holes'"):
        Inpainting(2, 3, 1).prepare(
            {"lr": torch.zeros(1, 3, 8, 8), "hr": torch.zeros(1, 3, 8, 8)}, NORMALISER
        )
    with pytest.raises(InvalidParamError, match="did you mean"):
        HoleTaskParams(masks=MaskChoice(name="box"))
