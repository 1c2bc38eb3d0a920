"""Every registered degradation stage, in 2D and 3D, for 1, 3 and 13 bands, through the pipeline."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.degradations.pipeline import StagePipeline
from gan_engine.protocols import DegradationStage
from gan_engine.registry import DEGRADATIONS
from tests.degradations.conftest import build

NAMES = DEGRADATIONS.names()
SIZES = {2: 32, 3: 8}


def _hr(dims: int, channels: int, batch: int = 2, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    shape = (batch, channels, *([SIZES[dims]] * dims))
    return torch.rand(shape, generator=generator) * 255


def test_every_stage_is_registered() -> None:
    expected = {
        "blur", "sinc", "resize", "resize_target", "gaussian_noise", "poisson_noise",
        "poisson_gaussian_noise", "rician_noise", "speckle_noise", "jpeg", "sharpen_target",
        "quantise", "pool", "realesrgan",
    }  # fmt: skip
    assert expected <= set(NAMES)
    assert DEGRADATIONS.broken() == {}


@pytest.mark.parametrize("channels", [1, 3, 13])
@pytest.mark.parametrize("dims", [2, 3])
@pytest.mark.parametrize("name", NAMES)
def test_stage_shapes_range_and_determinism(name: str, dims: int, channels: int) -> None:
    stage = build(name, dims, channels)  # type: ignore[arg-type]
    assert isinstance(stage, DegradationStage)
    hr = _hr(dims, channels)
    seeds = torch.tensor([11, 12])
    lr, target = StagePipeline([(stage, 1.0)], scale=2, data_range=255.0)(hr, seeds, training=False)
    assert lr.shape == (2, channels, *([SIZES[dims] // 2] * dims))
    assert target.shape == hr.shape
    assert lr.dtype == torch.float32
    assert target.dtype == torch.float32
    assert torch.isfinite(lr).all()
    assert lr.min() >= 0
    assert lr.max() <= 255
    # A fresh stage with the same seeds gives the same pair.
    again = StagePipeline([(build(name, dims, channels), 1.0)], scale=2, data_range=255.0)  # type: ignore[arg-type]
    lr2, target2 = again(hr, seeds, training=False)
    assert torch.equal(lr, lr2)
    assert torch.equal(target, target2)


@pytest.mark.parametrize("dims", [2, 3])
@pytest.mark.parametrize("name", [n for n in NAMES if not DEGRADATIONS.get(n).factory.batch_level])
def test_per_sample_stage_ignores_the_rest_of_the_batch(name: str, dims: int) -> None:
    stage = build(name, dims, 3)  # type: ignore[arg-type]
    hr = _hr(dims, 3, batch=3, seed=1) / 255
    seeds = torch.tensor([5, 6, 7])
    together, _ = stage(hr, hr, seeds, 2)
    alone, _ = stage(hr[1:2], hr[1:2], seeds[1:2], 2)
    torch.testing.assert_close(together[1:2], alone, atol=1e-5, rtol=0)


def test_other_seeds_give_other_pairs() -> None:
    stage = build("gaussian_noise", 2, 3)
    hr = _hr(2, 3)
    pipeline = StagePipeline([(stage, 1.0)], scale=2, data_range=255.0)
    first, _ = pipeline(hr, torch.tensor([1, 2]), training=False)
    second, _ = pipeline(hr, torch.tensor([3, 4]), training=False)
    assert not torch.equal(first, second)


def test_probability_selects_samples_by_seed() -> None:
    stage = build("gaussian_noise", 2, 1)
    hr = torch.full((64, 1, 8, 8), 128.0)
    pipeline = StagePipeline([(stage, 0.5)], scale=1, data_range=255.0)
    lr, _ = pipeline(hr, torch.arange(64), training=False)
    touched = (lr != 128.0).flatten(1).any(1)
    assert 16 <= int(touched.sum()) <= 48  # about half, drawn per sample
    again, _ = pipeline(hr, torch.arange(64), training=False)
    assert torch.equal(lr, again)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    name=st.sampled_from(NAMES),
    dims=st.sampled_from([2, 3]),
    channels=st.sampled_from([1, 3, 13]),
    seed=st.integers(0, 2**62),
    scale=st.sampled_from([1, 2, 4]),
)
def test_any_seed_gives_a_reproducible_pair_in_range(
    name: str, dims: int, channels: int, seed: int, scale: int
) -> None:
    hr = _hr(dims, channels, batch=2, seed=seed % 1000)
    seeds = torch.tensor([seed, seed // 2])
    pairs = [
        StagePipeline([(build(name, dims, channels), 1.0)], scale=scale, data_range=255.0)(  # type: ignore[arg-type]
            hr, seeds, training=False
        )
        for _ in range(2)
    ]
    (lr, target), (lr2, target2) = pairs
    assert lr.shape == (2, channels, *([SIZES[dims] // scale] * dims))
    assert torch.equal(lr, lr2)
    assert torch.equal(target, target2)
    assert 0 <= float(lr.min()) <= float(lr.max()) <= 255
