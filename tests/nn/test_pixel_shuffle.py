from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.nn.layers import channels_last_format
from gan_engine.nn.pixel_shuffle import SubpixelUpsample, icnr_, pixel_shuffle, pixel_unshuffle
from gan_engine.types import SpatialDims

SETTINGS = settings(deadline=None, max_examples=20, derandomize=True, database=None)


@pytest.mark.parametrize("scale", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 3])
def test_equals_torch_pixel_shuffle_in_2d(scale: int, channels: int) -> None:
    x = torch.randn(2, channels * scale**2, 5, 7)
    assert torch.equal(pixel_shuffle(x, scale), F.pixel_shuffle(x, scale))
    assert torch.equal(pixel_unshuffle(F.pixel_shuffle(x, scale), scale), x)


@SETTINGS
@given(
    dims=st.integers(1, 3),
    scale=st.integers(1, 3),
    channels=st.integers(1, 3),
    spatial=st.lists(st.integers(1, 4), min_size=3, max_size=3),
)
def test_offset_k_of_each_channel_block_lands_at_its_subpixel(
    dims: int, scale: int, channels: int, spatial: list[int]
) -> None:
    block = scale**dims
    x = torch.randn(2, channels * block, *spatial[:dims])
    out = pixel_shuffle(x, scale)
    assert out.shape == (2, channels, *(s * scale for s in spatial[:dims]))
    # channel c * r**d + k, k the row-major index of offsets (o_1, ..., o_d), goes to s_i * r + o_i
    for k, offsets in enumerate(itertools.product(range(scale), repeat=dims)):
        where = (slice(None), slice(None), *(slice(o, None, scale) for o in offsets))
        assert torch.equal(out[where], x[:, k::block])
    assert torch.equal(pixel_unshuffle(out, scale), x)


@pytest.mark.parametrize("dims", [2, 3])
def test_channels_last_in_gives_channels_last_out_with_the_same_values(dims: SpatialDims) -> None:
    fmt = channels_last_format(dims)
    x = torch.randn(2, 3 * 2**dims, *([4] * dims))
    out = pixel_shuffle(x.contiguous(memory_format=fmt), 2)
    assert torch.equal(out, pixel_shuffle(x, 2))
    assert out.is_contiguous(memory_format=fmt)
    assert pixel_shuffle(x, 2).is_contiguous()


def test_rejects_channels_not_divisible_by_the_block() -> None:
    with pytest.raises(ValueError, match=r"divisible by 2\*\*3 = 8, got 12"):
        pixel_shuffle(torch.randn(1, 12, 2, 2, 2), 2)


def test_unshuffle_rejects_sizes_not_divisible_by_scale() -> None:
    with pytest.raises(ValueError, match=r"divisible by it, got \[4, 5\]"):
        pixel_unshuffle(torch.randn(1, 1, 4, 5), 2)


@pytest.mark.parametrize("scale", [0, -1])
def test_rejects_non_positive_scale(scale: int) -> None:
    with pytest.raises(ValueError, match=f"scale must be an integer >= 1, got {scale}"):
        pixel_shuffle(torch.randn(1, 4, 2, 2), scale)


def test_icnr_rejects_a_weight_without_whole_blocks() -> None:
    with pytest.raises(ValueError, match="6 output channels not divisible by 2\\*\\*2"):
        icnr_(torch.randn(6, 1, 3, 3), 2, 2)


@pytest.mark.parametrize(("dims", "scale"), [(2, 2), (2, 3), (3, 2), (3, 3)])
def test_subpixel_upsample_shape(dims: SpatialDims, scale: int) -> None:
    layer = SubpixelUpsample(dims, 3, 5, scale)
    out = layer(torch.randn(2, 3, *([4] * dims)))
    assert out.shape == (2, 5, *([4 * scale] * dims))


def _subpixel_blocks(out: torch.Tensor, scale: int) -> torch.Tensor:
    """``[B, C, *(S * r)]`` → ``[B, C, r**d, *S]``: the sub-pixels of each block side by side."""
    dims = out.ndim - 2
    unshuffled = pixel_unshuffle(out, scale)
    return unshuffled.view(out.shape[0], out.shape[1], scale**dims, *unshuffled.shape[2:])


@pytest.mark.parametrize(("dims", "scale"), [(2, 2), (2, 3), (3, 2)])
def test_subpixel_upsample_has_no_checkerboard_at_init(dims: SpatialDims, scale: int) -> None:
    torch.manual_seed(0)
    layer = SubpixelUpsample(dims, 3, 4, scale)
    x = torch.randn(2, 3, *([5] * dims))
    out = layer(x)
    blocks = _subpixel_blocks(out, scale)
    torch.testing.assert_close(blocks, blocks[:, :, :1].expand_as(blocks), atol=1e-6, rtol=0)
    # ... which makes it a nearest-neighbour upsampling of one convolution
    block = scale**dims
    low = F.conv2d if dims == 2 else F.conv3d
    assert layer.conv.bias is not None
    reference = low(x, layer.conv.weight[::block], layer.conv.bias[::block], padding=1)
    nearest = F.interpolate(reference, scale_factor=scale, mode="nearest")
    torch.testing.assert_close(out, nearest, atol=1e-5, rtol=1e-5)


def test_subpixel_blocks_differ_without_icnr() -> None:
    # the check above is not vacuous: a default-initialised conv gives distinct sub-pixels
    torch.manual_seed(0)
    layer = SubpixelUpsample(2, 3, 4, 2)
    with torch.no_grad():
        layer.conv.weight.normal_()
    blocks = _subpixel_blocks(layer(torch.randn(1, 3, 5, 5)), 2)
    assert not torch.allclose(blocks, blocks[:, :, :1].expand_as(blocks), atol=1e-3)


def test_subpixel_upsample_rejects_even_kernel() -> None:
    with pytest.raises(ValueError, match="kernel_size must be a positive odd integer, got 2"):
        SubpixelUpsample(2, 3, 3, 2, kernel_size=2)
