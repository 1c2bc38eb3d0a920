from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from gan_engine.nn.interpolate import downsample, upsample


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_upsample_is_bicubic_in_2d(scale: int) -> None:
    x = torch.rand(2, 3, 5, 6)
    out = upsample(x, scale)
    assert out.shape == (2, 3, 5 * scale, 6 * scale)
    expected = F.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False)
    torch.testing.assert_close(out, expected)


@pytest.mark.parametrize("scale", [2, 3])
def test_upsample_is_trilinear_in_3d(scale: int) -> None:
    x = torch.rand(2, 3, 3, 4, 5)
    out = upsample(x, scale)
    assert out.shape == (2, 3, 3 * scale, 4 * scale, 5 * scale)
    expected = F.interpolate(x, scale_factor=scale, mode="trilinear", align_corners=False)
    torch.testing.assert_close(out, expected)
    # trilinear stays within the input range (bicubic may overshoot)
    assert out.min() >= x.min() - 1e-6
    assert out.max() <= x.max() + 1e-6


@pytest.mark.parametrize("shape", [(1, 2, 4, 4), (1, 2, 3, 4, 4)])
def test_resampling_keeps_a_constant_image(shape: tuple[int, ...]) -> None:
    x = torch.full(shape, 0.7)
    torch.testing.assert_close(upsample(x, 3), torch.full_like(upsample(x, 3), 0.7))
    big = torch.full((*shape[:2], *(4 * s for s in shape[2:])), 0.7)
    for mode in ("bicubic", "area"):
        small = downsample(big, 4, mode)
        assert small.shape == shape
        torch.testing.assert_close(small, x)


def test_upsample_by_one_is_identity() -> None:
    x = torch.rand(1, 2, 5, 5)
    torch.testing.assert_close(upsample(x, 1), x)


def test_downsample_bicubic_is_antialiased_in_2d() -> None:
    x = torch.rand(2, 3, 12, 8)
    expected = F.interpolate(x, size=(6, 4), mode="bicubic", align_corners=False, antialias=True)
    torch.testing.assert_close(downsample(x, 2), expected)
    # antialiasing turns one-in-four stripes into their mean (plain bicubic sampling gives -0.09)
    stripes = (torch.arange(32) % 4 == 0).float().expand(1, 1, 8, 32)
    interior = downsample(stripes, 4)[..., 2:-2]
    torch.testing.assert_close(interior, torch.full_like(interior, 0.25))


@pytest.mark.parametrize("mode", ["bicubic", "area"])
def test_downsample_in_3d_is_block_mean(mode: str) -> None:
    x = torch.rand(2, 3, 4, 6, 8)
    expected = F.avg_pool3d(x, 2)
    torch.testing.assert_close(downsample(x, 2, mode), expected)  # type: ignore[arg-type]


def test_downsample_area_in_2d_is_block_mean() -> None:
    x = torch.rand(2, 3, 6, 9)
    torch.testing.assert_close(downsample(x, 3, "area"), F.avg_pool2d(x, 3))


def test_down_then_up_restores_the_shape() -> None:
    x = torch.rand(1, 4, 8, 12)
    assert upsample(downsample(x, 4), 4).shape == x.shape


def test_downsample_rejects_sizes_not_divisible_by_scale() -> None:
    with pytest.raises(
        ValueError, match=r"downsample by 4 needs spatial sizes divisible by it, got \[8, 10\]"
    ):
        downsample(torch.rand(1, 1, 8, 10), 4)


def test_downsample_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown downsample mode 'nearest'"):
        downsample(torch.rand(1, 1, 4, 4), 2, "nearest")  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", [(4, 4), (1, 1, 4), (1, 1, 2, 2, 2, 2)])
def test_rejects_tensors_that_are_not_batched_2d_or_3d(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"expected a \[B, C, H, W\] or \[B, C, D, H, W\] tensor"):
        upsample(torch.rand(shape), 2)
    with pytest.raises(ValueError, match=r"expected a \[B, C, H, W\] or \[B, C, D, H, W\] tensor"):
        downsample(torch.rand(shape), 1)


@pytest.mark.parametrize("scale", [0, -2])
def test_rejects_non_positive_scale(scale: int) -> None:
    with pytest.raises(ValueError, match=f"scale must be an integer >= 1, got {scale}"):
        upsample(torch.rand(1, 1, 4, 4), scale)
    with pytest.raises(ValueError, match=f"scale must be an integer >= 1, got {scale}"):
        downsample(torch.rand(1, 1, 4, 4), scale)
