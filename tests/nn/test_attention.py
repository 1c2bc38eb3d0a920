from __future__ import annotations

import pytest
import torch

from gan_engine.nn.attention import (
    ChannelAttention,
    LargeKernelAttention,
    LargeKernelAttentionBlock,
    ResidualChannelAttentionBlock,
    lka_kernels,
    lka_radius,
)
from gan_engine.types import SpatialDims
from tests.receptive_support import measured_radius


@pytest.mark.parametrize("dims", [2, 3])
def test_channel_attention_scales_each_channel_by_one_gate(dims: SpatialDims) -> None:
    torch.manual_seed(0)
    attention = ChannelAttention(dims, 6, reduction=2)
    x = torch.rand(2, 6, *([5] * dims)) + 0.5
    gates = attention.weights(x)
    assert gates.shape == (2, 6, *([1] * dims))
    assert ((gates > 0) & (gates < 1)).all()
    ratio = attention(x) / x
    torch.testing.assert_close(ratio, gates.expand_as(x))


def test_channel_attention_gate_depends_on_every_pixel() -> None:
    torch.manual_seed(0)
    attention = ChannelAttention(2, 4, reduction=1)
    x = torch.rand(1, 4, 9, 9)
    changed = x.clone()
    changed[..., 8, 8] += 5.0
    assert not torch.allclose(attention(x)[..., 0, 0], attention(changed)[..., 0, 0])


def test_channel_attention_bottleneck_never_below_one_channel() -> None:
    attention = ChannelAttention(2, 3, reduction=16)
    assert attention.gate[0].out_channels == 1


@pytest.mark.parametrize("dims", [2, 3])
def test_rcab_keeps_shape_and_adds_a_scaled_residual(dims: SpatialDims) -> None:
    torch.manual_seed(0)
    block = ResidualChannelAttentionBlock(dims, 4, reduction=2, residual_scale=0.5)
    x = torch.rand(2, 4, *([6] * dims))
    branch = block.attention(block.body(x))
    torch.testing.assert_close(block(x), x + 0.5 * branch)


@pytest.mark.parametrize(
    ("kernel", "dilation", "expected"),
    [(21, 3, (5, 7)), (7, 2, (3, 3)), (13, 3, (5, 5)), (5, 1, (1, 5))],
)
def test_lka_decomposition_kernels(kernel: int, dilation: int, expected: tuple[int, int]) -> None:
    local, dilated = lka_kernels(kernel, dilation)
    assert (local, dilated) == expected
    assert local + dilation * (dilated - 1) >= kernel  # spans at least the large kernel


@pytest.mark.parametrize("dims", [2, 3])
def test_lka_output_shape_and_depthwise_layers(dims: SpatialDims) -> None:
    lka = LargeKernelAttention(dims, 4, kernel_size=7, dilation=2)
    x = torch.rand(2, 4, *([9] * dims))
    assert lka(x).shape == x.shape
    assert lka.local.groups == 4
    assert lka.dilated.groups == 4
    assert lka.dilated.dilation == (2,) * dims
    block = LargeKernelAttentionBlock(dims, 4, kernel_size=7, dilation=2)
    assert block(x).shape == x.shape


def test_lka_gates_the_input_elementwise() -> None:
    torch.manual_seed(0)
    lka = LargeKernelAttention(2, 3, kernel_size=7, dilation=2)
    x = torch.rand(1, 3, 8, 8)
    attention = lka.pointwise(lka.dilated(lka.local(x)))
    torch.testing.assert_close(lka(x), x * attention)


@pytest.mark.parametrize(("kernel", "dilation"), [(21, 3), (7, 2), (9, 1)])
def test_lka_receptive_field_is_exact(kernel: int, dilation: int) -> None:
    torch.manual_seed(0)
    lka = LargeKernelAttention(2, 2, kernel_size=kernel, dilation=dilation).double()
    size = 2 * lka_radius(kernel, dilation) + 9
    assert measured_radius(lka, (1, 2, size, size)) == lka_radius(kernel, dilation)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: LargeKernelAttention(2, 4, kernel_size=8), "kernel_size must be a positive odd"),
        (lambda: LargeKernelAttention(2, 4, dilation=0), "dilation must be >= 1, got 0"),
        (lambda: ChannelAttention(2, 4, reduction=0), "reduction must be >= 1, got 0"),
        (lambda: ChannelAttention(2, 0), "channels must be >= 1, got 0"),
    ],
)
def test_invalid_arguments_are_rejected(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
