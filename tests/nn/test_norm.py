from __future__ import annotations

import pytest
import torch
from torch import nn

from gan_engine.nn.norm import NORM_KINDS, make_norm
from gan_engine.types import SpatialDims


@pytest.mark.parametrize("dims", [2, 3])
def test_none_is_identity(dims: SpatialDims) -> None:
    x = torch.randn(2, 3, *([4] * dims))
    layer = make_norm("none", dims, 3)
    assert isinstance(layer, nn.Identity)
    assert torch.equal(layer(x), x)


@pytest.mark.parametrize("dims", [2, 3])
def test_batch_norm_standardises_each_channel_over_the_batch(dims: SpatialDims) -> None:
    x = 3.0 + 2.0 * torch.randn(4, 3, *([6] * dims))
    out = make_norm("batch", dims, 3).train()(x)
    axes = [0, *range(2, x.ndim)]
    torch.testing.assert_close(out.mean(dim=axes), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(out.var(dim=axes, unbiased=False), torch.ones(3), atol=1e-3, rtol=0)


@pytest.mark.parametrize("dims", [2, 3])
def test_instance_norm_standardises_each_sample_and_channel(dims: SpatialDims) -> None:
    x = torch.randn(2, 3, *([6] * dims)) * torch.tensor([1.0, 5.0]).view(2, 1, *([1] * dims))
    layer = make_norm("instance", dims, 3)
    out = layer(x + 7.0)
    axes = list(range(2, x.ndim))
    torch.testing.assert_close(out.mean(dim=axes), torch.zeros(2, 3), atol=1e-5, rtol=0)
    assert sum(p.numel() for p in layer.parameters()) == 6  # affine: a scale and shift per channel


def test_unknown_norm_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown norm 'group'; expected one of 'none', 'batch'"):
        make_norm("group", 2, 3)  # type: ignore[arg-type]
    assert NORM_KINDS == ("none", "batch", "instance")
