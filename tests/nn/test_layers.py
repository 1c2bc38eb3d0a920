from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch import nn

from gan_engine.nn import layers
from gan_engine.nn.layers import channels_last_format, conv
from gan_engine.types import SpatialDims

Lookup = Callable[[Any], type[nn.Module]]

LOOKUPS: list[tuple[Lookup, type[nn.Module], type[nn.Module]]] = [
    (layers.conv, nn.Conv2d, nn.Conv3d),
    (layers.conv_transpose, nn.ConvTranspose2d, nn.ConvTranspose3d),
    (layers.batch_norm, nn.BatchNorm2d, nn.BatchNorm3d),
    (layers.instance_norm, nn.InstanceNorm2d, nn.InstanceNorm3d),
    (layers.avg_pool, nn.AvgPool2d, nn.AvgPool3d),
    (layers.max_pool, nn.MaxPool2d, nn.MaxPool3d),
    (layers.adaptive_avg_pool, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d),
]
LOOKUP_IDS = [lookup.__name__ for lookup, _, _ in LOOKUPS]


@pytest.mark.parametrize(("lookup", "two", "three"), LOOKUPS, ids=LOOKUP_IDS)
def test_lookup_returns_the_class_for_each_dims(
    lookup: Lookup, two: type[nn.Module], three: type[nn.Module]
) -> None:
    assert lookup(2) is two
    assert lookup(3) is three


@pytest.mark.parametrize("lookup", [lookup for lookup, _, _ in LOOKUPS], ids=LOOKUP_IDS)
@pytest.mark.parametrize("dims", [0, 1, 4])
def test_lookup_rejects_other_dims_naming_the_value(lookup: Lookup, dims: int) -> None:
    with pytest.raises(
        ValueError, match=f"{lookup.__name__}: spatial_dims must be 2 or 3, got {dims}"
    ):
        lookup(dims)


def test_channels_last_format() -> None:
    assert channels_last_format(2) == torch.channels_last
    assert channels_last_format(3) == torch.channels_last_3d
    with pytest.raises(ValueError, match="got 1"):
        channels_last_format(1)  # type: ignore[arg-type]


@pytest.mark.parametrize("dims", [2, 3])
def test_channels_last_format_puts_channels_innermost(dims: SpatialDims) -> None:
    x = torch.randn(2, 3, *([4] * dims)).contiguous(memory_format=channels_last_format(dims))
    assert x.stride(1) == 1
    assert x.stride(-1) == 3


@pytest.mark.parametrize(("dims", "shape"), [(2, (2, 3, 7, 9)), (3, (2, 3, 4, 5, 6))])
def test_looked_up_conv_works_on_tensors_of_its_dims(
    dims: SpatialDims, shape: tuple[int, ...]
) -> None:
    layer = conv(dims)(3, 5, 3, padding=1)
    assert layer(torch.randn(shape)).shape == (shape[0], 5, *shape[2:])
