"""Target sharpening, quantisation, resizes, the pool and the Real-ESRGAN preset."""

from __future__ import annotations

import torch

from gan_engine.degradations.pipeline import StagePipeline
from gan_engine.degradations.resize import RandomResize, ResizeParams
from gan_engine.degradations.target import (
    PairPool,
    PoolParams,
    Quantise,
    QuantiseParams,
    SharpenParams,
    SharpenTarget,
)
from tests.degradations.conftest import build


def _edge(size: int = 32) -> torch.Tensor:
    x = torch.full((1, 3, size, size), 0.3)
    x[..., size // 2 :] = 0.7
    return x


def test_sharpen_target_adds_overshoot_at_edges_and_zero_weight_is_identity() -> None:
    x = _edge()
    image, target = SharpenTarget(2, 3, SharpenParams(sigma=2.0))(x, x, torch.tensor([0]), 1)
    assert target[..., 15].mean() < 0.3  # undershoot before the edge
    assert target[..., 16].mean() > 0.7  # overshoot after it
    assert torch.equal(image, target)  # the input is degraded from the sharpened image
    same, kept = SharpenTarget(2, 3, SharpenParams(weight=0.0))(x, x, torch.tensor([0]), 1)
    assert torch.equal(kept, x)
    assert torch.equal(same, x)


def test_quantise_rounds_to_levels() -> None:
    x = torch.rand(2, 1, 8, 8)
    out, _ = Quantise(2, 1, QuantiseParams(levels=15))(x, x, torch.tensor([0, 1]), 1)
    assert torch.allclose(out * 15, torch.round(out * 15))
    assert float((out - x).abs().max()) <= 0.5 / 15 + 1e-6


def test_keep_resize_is_identity() -> None:
    x = torch.rand(2, 13, 4, 8, 8)
    params = ResizeParams(directions={"keep": 1.0}, modes={"trilinear": 1.0})
    out, _ = RandomResize(3, 13, params)(x, x, torch.tensor([0, 1]), 2)
    assert torch.equal(out, x)


def test_resize_relative_to_target_uses_the_lr_size() -> None:
    x = torch.rand(2, 1, 32, 32)
    params = ResizeParams(directions={"up": 1.0}, up=(1.5, 1.5), modes={"area": 1.0},
                          relative_to="target")  # fmt: skip
    out, _ = RandomResize(2, 1, params)(x, x, torch.tensor([0, 1]), 4)
    assert out.shape[-2:] == (12, 12)


def test_pool_returns_earlier_pairs_and_keeps_every_pair() -> None:
    pool = PairPool(2, 1, PoolParams(queue_size=4))
    batches = [torch.full((2, 1, 2, 2), float(i)) for i in range(4)]
    seen = []
    for index, batch in enumerate(batches):
        image, target = pool(batch, batch * 10, torch.tensor([index, index + 100]), 1)
        assert torch.equal(target, image * 10)  # pairs stay together
        seen += image[:, 0, 0, 0].tolist()
    assert seen[:4] == [0.0, 0.0, 1.0, 1.0]  # filling: batches pass through
    assert all(value in (0.0, 1.0, 2.0) for value in seen[4:])  # then earlier pairs come out
    pooled = sorted(pool.images[:, 0, 0, 0].tolist()) if pool.images is not None else []
    assert sorted(seen + pooled) == sorted(
        [float(i) for i in range(4) for _ in range(2)] + [0, 0, 1, 1]
    )


def test_pool_is_skipped_outside_training() -> None:
    stages = [(build("gaussian_noise", 2, 1), 1.0), (PairPool(2, 1, PoolParams(queue_size=2)), 1.0)]
    pipeline = StagePipeline(stages, scale=1, data_range=1.0)
    assert pipeline.mixes_batches
    x = torch.rand(2, 1, 4, 4)
    first, _ = pipeline(x, torch.tensor([0, 1]), training=False)
    second, _ = pipeline(x, torch.tensor([0, 1]), training=False)
    assert torch.equal(first, second)


def test_realesrgan_preset_degrades_to_lr_on_8bit_levels() -> None:
    stage = build("realesrgan", 2, 3)
    hr = torch.rand(4, 3, 32, 32) * 255
    lr, target = StagePipeline([(stage, 1.0)], scale=4, data_range=255.0)(
        hr, torch.arange(4), training=False
    )
    assert lr.shape == (4, 3, 8, 8)
    assert torch.equal(lr, torch.round(lr))
    assert torch.equal(target, hr)
