from __future__ import annotations

import pytest
import torch
from torch import nn

from gan_engine.nn.residual import ResidualBlock
from gan_engine.types import SpatialDims


def _last_conv(block: ResidualBlock) -> nn.Module:
    convs = [m for m in block.modules() if isinstance(m, nn.Conv2d | nn.Conv3d)]
    return convs[-1]


@pytest.mark.parametrize("dims", [2, 3])
@pytest.mark.parametrize("kernel_size", [1, 3, 5])
def test_keeps_shape(dims: SpatialDims, kernel_size: int) -> None:
    x = torch.randn(2, 4, *([7] * dims))
    assert ResidualBlock(dims, 4, kernel_size=kernel_size)(x).shape == x.shape


@pytest.mark.parametrize("dims", [2, 3])
def test_is_identity_when_the_residual_branch_is_zero(dims: SpatialDims) -> None:
    block = ResidualBlock(dims, 4)
    last = _last_conv(block)
    with torch.no_grad():
        for p in last.parameters():
            p.zero_()
    x = torch.randn(2, 4, *([5] * dims))
    assert torch.equal(block(x), x)


def test_residual_scale_scales_the_branch() -> None:
    torch.manual_seed(0)
    full = ResidualBlock(2, 4, residual_scale=1.0)
    scaled = ResidualBlock(2, 4, residual_scale=0.2)
    scaled.load_state_dict(full.state_dict())
    x = torch.randn(1, 4, 6, 6)
    torch.testing.assert_close(scaled(x) - x, 0.2 * (full(x) - x))


@pytest.mark.parametrize(
    ("norm", "norm_cls", "bias"), [("none", nn.Identity, True), ("batch", nn.BatchNorm3d, False)]
)
def test_norm_follows_each_conv_and_replaces_its_bias(
    norm: str, norm_cls: type[nn.Module], bias: bool
) -> None:
    block = ResidualBlock(3, 4, norm=norm)  # type: ignore[arg-type]
    assert sum(isinstance(m, norm_cls) for m in block.body) == 2
    convs = [m for m in block.body if isinstance(m, nn.Conv3d)]
    assert [c.bias is not None for c in convs] == [bias, bias]


@pytest.mark.parametrize("kernel_size", [0, 2, 4])
def test_rejects_even_kernel(kernel_size: int) -> None:
    with pytest.raises(
        ValueError, match=f"kernel_size must be a positive odd integer, got {kernel_size}"
    ):
        ResidualBlock(2, 4, kernel_size=kernel_size)


def test_rejects_zero_channels() -> None:
    with pytest.raises(ValueError, match="channels must be >= 1, got 0"):
        ResidualBlock(2, 0)
