"""Normalisation layers chosen by name, for any spatial dims."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, TypeAlias, get_args

from torch import nn

from gan_engine.nn.layers import batch_norm, instance_norm
from gan_engine.types import SpatialDims

NormKind: TypeAlias = Literal["none", "batch", "instance"]
"""``none`` (identity), ``batch`` (batch statistics) or ``instance`` (per-sample statistics)."""

NORM_KINDS: tuple[NormKind, ...] = get_args(NormKind)


def _batch(dims: SpatialDims, channels: int) -> nn.Module:
    return batch_norm(dims)(channels)


def _instance(dims: SpatialDims, channels: int) -> nn.Module:
    # affine so that instance-normalised blocks keep a learnable scale and shift, as batch norm does
    return instance_norm(dims)(channels, affine=True)


def _identity(_dims: SpatialDims, _channels: int) -> nn.Module:
    return nn.Identity()


_NORMS: Mapping[str, Callable[[SpatialDims, int], nn.Module]] = {
    "none": _identity,
    "batch": _batch,
    "instance": _instance,
}


def make_norm(kind: NormKind, spatial_dims: SpatialDims, channels: int) -> nn.Module:
    """A normalisation layer for ``[B, channels, *S]`` tensors (``nn.Identity`` for ``"none"``)."""
    build = _NORMS.get(kind)
    if build is None:
        msg = f"unknown norm {kind!r}; expected one of {', '.join(map(repr, NORM_KINDS))}"
        raise ValueError(msg)
    return build(spatial_dims, channels)
