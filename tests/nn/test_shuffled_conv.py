from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.nn.layers import channels_last_format
from gan_engine.nn.pixel_shuffle import pixel_shuffle
from gan_engine.nn.shuffled_conv import coarse_kernel, shuffled_conv, shuffled_conv_pays

SETTINGS = settings(deadline=None, max_examples=25, derandomize=True, database=None)


def _direct(
    z: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, scale: int
) -> torch.Tensor:
    convolve = F.conv2d if z.ndim == 4 else F.conv3d
    return convolve(pixel_shuffle(z, scale), weight, bias, padding=weight.shape[-1] // 2)


@SETTINGS
@given(
    dims=st.sampled_from([2, 3]),
    scale=st.integers(1, 3),
    kernel=st.sampled_from([1, 3, 5, 7, 9]),
    in_channels=st.integers(1, 3),
    out_channels=st.integers(1, 4),
    spatial=st.lists(st.integers(1, 4), min_size=3, max_size=3),
    bias=st.booleans(),
)
def test_equals_shuffle_then_convolve(
    dims: int,
    scale: int,
    kernel: int,
    in_channels: int,
    out_channels: int,
    spatial: list[int],
    bias: bool,
) -> None:
    # float64: the two forms add the same products in another order, nothing else differs
    z = torch.randn(2, in_channels * scale**dims, *spatial[:dims], dtype=torch.float64)
    weight = torch.randn(out_channels, in_channels, *[kernel] * dims, dtype=torch.float64)
    b = torch.randn(out_channels, dtype=torch.float64) if bias else None
    out = shuffled_conv(z, weight, b, scale)
    expected = _direct(z, weight, b, scale)
    assert out.shape == expected.shape
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)


def test_coarse_kernel_shape_and_taps() -> None:
    # a 9-tap kernel after a x2 shuffle reads 2 coarse pixels either side: 5 taps
    weight = torch.randn(4, 64, 9, 9, dtype=torch.float64)
    assert coarse_kernel(weight, 2).shape == (16, 256, 5, 5)
    assert coarse_kernel(torch.randn(1, 2, 3, 3, 3), 2).shape == (8, 16, 3, 3, 3)
    # every fine tap appears exactly once per output phase: nothing lost, nothing duplicated
    phases = coarse_kernel(weight, 2).reshape(4, 4, -1)
    for phase in range(4):
        torch.testing.assert_close(phases[:, phase].sum(dim=1), weight.reshape(4, -1).sum(dim=1))
        assert torch.count_nonzero(phases[:, phase]) == weight.numel()


def test_gradients_reach_the_fine_kernel_equal_to_the_direct_form() -> None:
    z = torch.randn(1, 12, 5, 6, dtype=torch.float64)
    weights = [torch.randn(2, 3, 5, 5, dtype=torch.float64, requires_grad=True) for _ in range(2)]
    with torch.no_grad():
        weights[1].copy_(weights[0])
    shuffled_conv(z, weights[0], None, 2).square().sum().backward()
    _direct(z, weights[1], None, 2).square().sum().backward()
    assert weights[0].grad is not None
    assert weights[1].grad is not None
    torch.testing.assert_close(weights[0].grad, weights[1].grad)


def test_keeps_channels_last() -> None:
    z = torch.randn(1, 16, 6, 6).contiguous(memory_format=channels_last_format(2))
    out = shuffled_conv(z, torch.randn(4, 4, 9, 9), torch.randn(4), 2)
    assert out.shape == (1, 4, 12, 12)
    assert out.is_contiguous(memory_format=channels_last_format(2))


@pytest.mark.parametrize(
    ("kernel", "out_channels", "scale", "dims", "pays"),
    [
        (9, 4, 2, 2, True),  # SRResNet's 9x9 tail to 4 bands: 25 x 16 against 81 x 16
        (9, 3, 2, 2, True),
        (9, 64, 2, 2, False),  # many outputs: 1.23x the multiply-adds and nothing to gain
        (3, 4, 2, 2, False),  # 3x3: 4x the multiply-adds at x2
        (3, 1, 2, 2, False),  # ties at best
        (9, 1, 2, 3, True),
        (1, 4, 2, 2, False),
    ],
)
def test_cost_model(kernel: int, out_channels: int, scale: int, dims: int, pays: bool) -> None:
    assert shuffled_conv_pays(kernel, out_channels, scale, dims) is pays


def test_rejects_mismatched_channels_and_even_kernels() -> None:
    with pytest.raises(ValueError, match="12 channels"):
        shuffled_conv(torch.randn(1, 12, 4, 4), torch.randn(1, 4, 3, 3), None, 2)
    with pytest.raises(ValueError, match="odd cubic kernel"):
        coarse_kernel(torch.randn(1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match="2 or 3 spatial axes"):
        shuffled_conv(torch.randn(1, 4, 4), torch.randn(1, 2, 3), None, 2)
