from __future__ import annotations

import pytest
import torch

from gan_engine.nn.dense import (
    INIT_GAIN,
    RRDB,
    ResidualDenseBlock,
    rdb_radius,
    rrdb_radius,
)
from gan_engine.types import SpatialDims
from tests.receptive_support import measured_radius


@pytest.mark.parametrize("dims", [2, 3])
def test_dense_convs_grow_by_growth_channels(dims: SpatialDims) -> None:
    block = ResidualDenseBlock(dims, 6, growth_channels=4)
    convs = [block.conv1, block.conv2, block.conv3, block.conv4, block.conv5]
    assert [c.in_channels for c in convs] == [6, 10, 14, 18, 22]
    assert [c.out_channels for c in convs] == [4, 4, 4, 4, 6]
    x = torch.rand(2, 6, *([5] * dims))
    assert block(x).shape == x.shape


@pytest.mark.parametrize("scale", [0.2, 1.0])
def test_rdb_residual_scaling(scale: float) -> None:
    torch.manual_seed(0)
    block = ResidualDenseBlock(2, 4, growth_channels=2, residual_scale=scale)
    x = torch.rand(1, 4, 6, 6)
    reference = ResidualDenseBlock(2, 4, growth_channels=2, residual_scale=1.0)
    reference.load_state_dict(block.state_dict())
    branch = reference(x) - x
    torch.testing.assert_close(block(x) - x, scale * branch)


def test_rrdb_is_a_scaled_residual_around_three_dense_blocks() -> None:
    torch.manual_seed(0)
    block = RRDB(2, 4, growth_channels=2, residual_scale=0.2)
    x = torch.rand(2, 4, 6, 6)
    inner = block.rdb3(block.rdb2(block.rdb1(x)))
    torch.testing.assert_close(block(x), x + 0.2 * inner)


def test_rrdb_uses_basicsr_module_names() -> None:
    keys = set(RRDB(2, 4, growth_channels=2).state_dict())
    assert "rdb1.conv1.weight" in keys
    assert "rdb3.conv5.bias" in keys
    assert len(keys) == 3 * 5 * 2


def test_dense_convs_start_small_with_zero_bias() -> None:
    torch.manual_seed(0)
    block = ResidualDenseBlock(2, 64, growth_channels=32)
    weight = block.conv1.weight
    fan_in = weight[0].numel()
    expected_std = INIT_GAIN * (2.0 / fan_in) ** 0.5
    assert weight.std().item() == pytest.approx(expected_std, rel=0.1)
    assert block.conv1.bias is not None
    assert torch.equal(block.conv1.bias, torch.zeros_like(block.conv1.bias))


@pytest.mark.parametrize("kernel", [3, 5])
def test_receptive_fields_are_exact(kernel: int) -> None:
    torch.manual_seed(0)
    rdb = ResidualDenseBlock(2, 2, growth_channels=2, kernel_size=kernel).double()
    size = 2 * rdb_radius(kernel) + 5
    assert measured_radius(rdb, (1, 2, size, size)) == rdb_radius(kernel)
    rrdb = RRDB(2, 2, growth_channels=2, kernel_size=3).double()
    size = 2 * rrdb_radius(3) + 5
    assert measured_radius(rrdb, (1, 2, size, size)) == rrdb_radius(3) == 15


def test_invalid_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="growth_channels must be >= 1, got 0"):
        ResidualDenseBlock(2, 4, growth_channels=0)
    with pytest.raises(ValueError, match="kernel_size must be a positive odd integer, got 2"):
        ResidualDenseBlock(2, 4, kernel_size=2)
