"""Shared pieces of the built-in normalisers: input checks, targets and per-channel broadcasting.

Every built-in normaliser is an ``nn.Module`` for batches ``[B, C, *S]`` in 2D and 3D whose statistics
are buffers of shape ``[C]`` (or ``[2, C]`` for fitted ones, one row per branch), reshaped to
``[1, C, 1, ...]`` per call, so one normaliser serves 2D and 3D. Results are at least float32:
integer and half-precision inputs are computed in float32, float64 stays float64.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeAlias

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.types import Branch, Sample, spatial_dims_of

Target: TypeAlias = Literal["zero_one", "minus_one_one"]
TARGETS: tuple[Target, ...] = ("zero_one", "minus_one_one")
BRANCHES: tuple[Branch, ...] = ("lr", "hr")


def finite_values(_instance: Any, attribute: attrs.Attribute[Any], value: Sequence[float]) -> None:
    """Validate a non-empty list of finite numbers (an attrs validator)."""
    if len(value) == 0:
        raise InvalidParamError(attribute.name, "expected at least one value, got an empty list")
    for index, item in enumerate(value):
        if not math.isfinite(item):
            key = f"{attribute.name}.{index}"
            raise InvalidParamError(key, f"must be finite, got {item}")


def one_of_targets(_instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """Validate ``"zero_one"`` or ``"minus_one_one"`` (an attrs validator)."""
    if value not in TARGETS:
        raise InvalidParamError(attribute.name, f"expected one of {list(TARGETS)}, got {value!r}")


def target_bounds(target: Target) -> tuple[float, float]:
    """The network range a target names: ``(0, 1)`` or ``(-1, 1)``."""
    return (0.0, 1.0) if target == "zero_one" else (-1.0, 1.0)


def check_channels(channels: int) -> None:
    """Raise ``ValueError`` unless ``channels >= 1``."""
    if channels < 1:
        msg = f"channels must be >= 1, got {channels}"
        raise ValueError(msg)


def raise_first(errors: Iterable[InvalidParamError]) -> None:
    """Raise the first error, if any."""
    for error in errors:
        raise error


def per_channel(values: Sequence[float], channels: int) -> Tensor:
    """Broadcast a 1-or-C list to a float32 ``[C]`` tensor."""
    return torch.tensor([float(v) for v in values], dtype=torch.float64).expand(channels).float()


def broadcastable(stat: Tensor, x: Tensor) -> Tensor:
    """A ``[C]`` statistic as ``[1, C, 1, ...]`` in ``x``'s dtype and device."""
    shape = (1, stat.numel()) + (1,) * (x.ndim - 2)
    return stat.to(dtype=x.dtype, device=x.device).view(shape)


class ChannelChecked(nn.Module):
    """Input checks shared by the built-in normalisers; ``fit`` is a no-op unless overridden."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        check_channels(channels)
        self.channels = channels

    def _validated(self, x: Tensor, branch: Branch) -> Tensor:
        """Return ``x`` at least in float32 after checking its shape and the branch."""
        if branch not in BRANCHES:
            msg = f"branch must be one of {list(BRANCHES)}, got {branch!r}"
            raise ValueError(msg)
        spatial_dims_of(x)
        if x.shape[1] != self.channels:
            msg = (
                f"{type(self).__name__} was built for {self.channels} channels, "
                f"got a batch of shape {tuple(x.shape)}"
            )
            raise ValueError(msg)
        return x.to(torch.promote_types(x.dtype, torch.float32))

    def fit(self, samples: Iterable[Sample]) -> None:
        """Do nothing: the statistics are fixed by the parameters (``samples`` is not consumed)."""
        del samples

    def extra_repr(self) -> str:
        """The channel count, for ``repr``."""
        return f"channels={self.channels}"
