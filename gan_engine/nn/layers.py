"""Layer classes looked up by spatial dims, so that a block is written once for 2D and 3D.

Each lookup returns the *class* for ``dims`` (``conv(2) is nn.Conv2d``). The ``@overload``s on
``Literal[2]`` / ``Literal[3]`` keep mypy precise when the dims are known statically; with a
:data:`~gan_engine.types.SpatialDims` variable the result is the union of both classes.
"""

from __future__ import annotations

from typing import Literal, TypeVar, overload

import torch
from torch import nn

from gan_engine.types import SpatialDims

_Two = TypeVar("_Two")
_Three = TypeVar("_Three")


def _pick(dims: int, two: _Two, three: _Three, what: str) -> _Two | _Three:
    if dims == 2:
        return two
    if dims == 3:
        return three
    msg = f"{what}: spatial_dims must be 2 or 3, got {dims!r}"
    raise ValueError(msg)


@overload
def conv(dims: Literal[2]) -> type[nn.Conv2d]: ...
@overload
def conv(dims: Literal[3]) -> type[nn.Conv3d]: ...
def conv(dims: SpatialDims) -> type[nn.Conv2d] | type[nn.Conv3d]:
    """Convolution class for ``dims`` spatial axes."""
    return _pick(dims, nn.Conv2d, nn.Conv3d, "conv")


@overload
def conv_transpose(dims: Literal[2]) -> type[nn.ConvTranspose2d]: ...
@overload
def conv_transpose(dims: Literal[3]) -> type[nn.ConvTranspose3d]: ...
def conv_transpose(dims: SpatialDims) -> type[nn.ConvTranspose2d] | type[nn.ConvTranspose3d]:
    """Transposed convolution class for ``dims`` spatial axes."""
    return _pick(dims, nn.ConvTranspose2d, nn.ConvTranspose3d, "conv_transpose")


@overload
def batch_norm(dims: Literal[2]) -> type[nn.BatchNorm2d]: ...
@overload
def batch_norm(dims: Literal[3]) -> type[nn.BatchNorm3d]: ...
def batch_norm(dims: SpatialDims) -> type[nn.BatchNorm2d] | type[nn.BatchNorm3d]:
    """Batch normalisation class for ``dims`` spatial axes."""
    return _pick(dims, nn.BatchNorm2d, nn.BatchNorm3d, "batch_norm")


@overload
def instance_norm(dims: Literal[2]) -> type[nn.InstanceNorm2d]: ...
@overload
def instance_norm(dims: Literal[3]) -> type[nn.InstanceNorm3d]: ...
def instance_norm(dims: SpatialDims) -> type[nn.InstanceNorm2d] | type[nn.InstanceNorm3d]:
    """Instance normalisation class for ``dims`` spatial axes."""
    return _pick(dims, nn.InstanceNorm2d, nn.InstanceNorm3d, "instance_norm")


@overload
def avg_pool(dims: Literal[2]) -> type[nn.AvgPool2d]: ...
@overload
def avg_pool(dims: Literal[3]) -> type[nn.AvgPool3d]: ...
def avg_pool(dims: SpatialDims) -> type[nn.AvgPool2d] | type[nn.AvgPool3d]:
    """Average pooling class for ``dims`` spatial axes."""
    return _pick(dims, nn.AvgPool2d, nn.AvgPool3d, "avg_pool")


@overload
def max_pool(dims: Literal[2]) -> type[nn.MaxPool2d]: ...
@overload
def max_pool(dims: Literal[3]) -> type[nn.MaxPool3d]: ...
def max_pool(dims: SpatialDims) -> type[nn.MaxPool2d] | type[nn.MaxPool3d]:
    """Max pooling class for ``dims`` spatial axes."""
    return _pick(dims, nn.MaxPool2d, nn.MaxPool3d, "max_pool")


@overload
def adaptive_avg_pool(dims: Literal[2]) -> type[nn.AdaptiveAvgPool2d]: ...
@overload
def adaptive_avg_pool(dims: Literal[3]) -> type[nn.AdaptiveAvgPool3d]: ...
def adaptive_avg_pool(
    dims: SpatialDims,
) -> type[nn.AdaptiveAvgPool2d] | type[nn.AdaptiveAvgPool3d]:
    """Adaptive average pooling class (fixed output size, any input size) for ``dims`` axes."""
    return _pick(dims, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d, "adaptive_avg_pool")


def channels_last_format(dims: SpatialDims) -> torch.memory_format:
    """Channels-last memory format for ``dims``: ``channels_last`` or ``channels_last_3d``."""
    return _pick(dims, torch.channels_last, torch.channels_last_3d, "channels_last_format")
