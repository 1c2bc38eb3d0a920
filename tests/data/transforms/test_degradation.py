"""Downsampling for LR: exact area means, antialiased bicubic, clamping and quantisation."""

from __future__ import annotations

import pytest
import torch

from gan_engine.data.transforms.degradation import degrade, downsample


@pytest.mark.parametrize(("dims", "scale"), [(2, 2), (2, 4), (3, 2)])
def test_area_is_the_block_mean(dims: int, scale: int) -> None:
    size = 4 * scale
    x = torch.rand((2, 3) + (size,) * dims, generator=torch.Generator().manual_seed(0))
    y = downsample(x, scale, "area")
    blocks = x.reshape(2, 3, *[n for _ in range(dims) for n in (size // scale, scale)])
    expected = blocks.mean(dim=tuple(range(3, 3 + 2 * dims, 2)))
    assert y.shape == (2, 3) + (size // scale,) * dims
    torch.testing.assert_close(y, expected)


@pytest.mark.parametrize(("dims", "mode"), [(2, "bicubic"), (2, "area"), (3, "trilinear")])
def test_constant_images_stay_constant(dims: int, mode: str) -> None:
    x = torch.full((1, 2) + (16,) * dims, 100.0)
    y = downsample(x, 4, mode)  # type: ignore[arg-type]
    assert y.shape == (1, 2) + (4,) * dims
    torch.testing.assert_close(y, torch.full_like(y, 100.0))


def test_bicubic_is_antialiased() -> None:
    # A one-pixel checkerboard must average out instead of aliasing into a pattern.
    index = torch.arange(32)
    board = ((index[:, None] + index[None, :]) % 2).float().view(1, 1, 32, 32) * 255
    y = downsample(board, 4, "bicubic")
    assert float(y.std()) < 5.0
    assert abs(float(y.mean()) - 127.5) < 5.0


def test_degrade_clamps_and_quantises() -> None:
    hr = torch.zeros(1, 16, 16)
    hr[:, :, 8:] = 255.0  # a step: bicubic overshoots on both sides
    lr = degrade(hr, 4, "bicubic", 255.0)
    assert lr.shape == (1, 4, 4)
    assert float(lr.min()) >= 0.0
    assert float(lr.max()) <= 255.0
    assert torch.equal(lr, lr.round())
    raw = degrade(hr, 4, "bicubic", 255.0, quantise=False)
    assert not torch.equal(raw, raw.round())


def test_degrade_3d() -> None:
    hr = torch.rand(2, 8, 8, 8) * 1000
    assert degrade(hr, 2, "area", 65535.0).shape == (2, 4, 4, 4)


@pytest.mark.parametrize(
    ("shape", "mode", "match"),
    [
        ((1, 1, 8, 8, 8), "bicubic", "not available in 3D"),
        ((1, 1, 8, 8), "trilinear", "not available in 2D"),
        ((1, 1, 8, 10), "area", "not a multiple"),
        ((8, 8), "area", "expected"),
    ],
)
def test_rejects_bad_requests(shape: tuple[int, ...], mode: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        downsample(torch.zeros(shape), 4, mode)  # type: ignore[arg-type]


@pytest.mark.parametrize("dims", [2, 3])
def test_blur_keeps_constants_and_size_and_smooths(dims: int) -> None:
    from gan_engine.data.transforms.degradation import gaussian_blur

    constant = torch.full((1, 2) + (9,) * dims, 40.0)
    torch.testing.assert_close(gaussian_blur(constant, 1.5), constant)
    noise = torch.rand((1, 1) + (16,) * dims, generator=torch.Generator().manual_seed(0))
    blurred = gaussian_blur(noise, 1.0)
    assert blurred.shape == noise.shape
    assert float(blurred.std()) < 0.5 * float(noise.std())
    assert torch.equal(gaussian_blur(noise, 0.0), noise)
    with pytest.raises(ValueError, match="sigma"):
        gaussian_blur(noise, -1.0)


@pytest.mark.parametrize("dims", [2, 3])
def test_noise_has_the_requested_sigma_and_repeats_with_the_generator(dims: int) -> None:
    hr = torch.full((1,) + (32,) * dims, 1000.0)
    mode = "bicubic" if dims == 2 else "area"

    def make(seed: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(seed)
        return degrade(hr, 2, mode, 65535.0, quantise=False, noise_sigma=25.0, generator=generator)

    lr = make(0)
    assert abs(float(lr.std()) - 25.0) < 3.0
    assert abs(float(lr.mean()) - 1000.0) < 3.0
    assert torch.equal(lr, make(0))
    assert not torch.equal(lr, make(1))


def test_blur_happens_before_downsampling() -> None:
    from gan_engine.data.transforms.degradation import gaussian_blur

    hr = torch.rand(2, 16, 16, generator=torch.Generator().manual_seed(3)) * 1000
    expected = downsample(gaussian_blur(hr.unsqueeze(0), 1.0), 2, "bicubic").squeeze(0)
    got = degrade(hr, 2, "bicubic", 1000.0, quantise=False, blur_sigma=1.0)
    torch.testing.assert_close(got, expected.clamp(0.0, 1000.0))
    sharp = degrade(hr, 2, "bicubic", 1000.0, quantise=False)
    assert float(got.std()) < float(sharp.std())


def test_bounds_replace_the_data_range_clamp() -> None:
    hr = torch.full((1, 8, 8), 30000.0)
    assert float(degrade(hr, 2, "area", 10000.0).max()) == 10000.0
    kept = degrade(hr, 2, "area", 10000.0, bounds=(0.0, 65535.0))
    assert float(kept.max()) == 30000.0
    free = degrade(-hr, 2, "area", 1.0, quantise=False, bounds=(float("-inf"), float("inf")))
    assert float(free.min()) == -30000.0
