"""Fast Fourier convolution blocks: shapes in 2D and 3D, and a receptive field as wide as the input."""

from __future__ import annotations

import pytest
import torch

from gan_engine.nn.ffc import FFCResidualBlock, FourierUnit


@pytest.mark.parametrize(("dims", "shape"), [(2, (7, 10)), (3, (4, 5, 6))])
def test_block_keeps_the_shape_and_reaches_every_parameter(
    dims: int, shape: tuple[int, ...]
) -> None:
    torch.manual_seed(0)
    block = FFCResidualBlock(dims, 8, norm="batch")  # type: ignore[arg-type]
    x = torch.rand(2, 8, *shape)
    y = block(x)
    assert y.shape == x.shape
    y.square().mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in block.parameters())


@pytest.mark.parametrize(("dims", "shape"), [(2, (16, 16)), (3, (8, 8, 8))])
def test_one_fourier_unit_sees_the_whole_input(dims: int, shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    unit = FourierUnit(dims, 2, 2, norm="none")  # type: ignore[arg-type]
    x = torch.rand(1, 2, *shape, requires_grad=True)
    corner = (0, 0, *([0] * dims))
    (grad,) = torch.autograd.grad(unit(x)[corner], x)
    far = (0, 0, *(n - 1 for n in shape))
    assert grad[far] != 0  # the opposite corner affects the first pixel after one layer


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="channels"):
        FFCResidualBlock(2, 1)
    with pytest.raises(ValueError, match="global_ratio"):
        FFCResidualBlock(2, 4, global_ratio=1.0)
