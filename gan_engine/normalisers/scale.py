"""Fixed per-channel normalisers: ``identity``, ``fixed_scale`` and ``minmax``.

Each is an ``nn.Module`` for batches ``[B, C, *S]`` in 2D and 3D that applies the same per-channel
affine map to both branches. The statistics are float32 buffers of shape ``[C]`` (reshaped to
``[1, C, 1, ...]`` per call, so one normaliser serves 2D and 3D), hence they travel in
``state_dict`` and follow ``.to()``. Results are at least float32: integer and half-precision inputs
are computed in float32, float64 stays float64.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import torch
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.normalisers.base import (
    ChannelChecked,
    Target,
    finite_values,
    one_of_targets,
    per_channel,
    raise_first,
)
from gan_engine.params import channel_list_fits, each, in_range
from gan_engine.registry import NoParams, register_normaliser
from gan_engine.types import Branch, BuildContext


def _above_minimum(
    instance: MinMaxParams, attribute: attrs.Attribute[Any], value: list[float]
) -> None:
    lows, highs = instance.minimum, value
    if len(lows) != len(highs) and 1 not in (len(lows), len(highs)):
        msg = f"expected 1 or {len(lows)} values to pair with minimum, got {len(highs)}"
        raise InvalidParamError(attribute.name, msg)
    count = max(len(lows), len(highs))
    for index in range(count):
        low = lows[index if len(lows) > 1 else 0]
        high = highs[index if len(highs) > 1 else 0]
        if not high > low:
            key = f"{attribute.name}.{index if len(highs) > 1 else 0}"
            msg = f"must be > minimum ({low}) for channel {index}, got {high}"
            raise InvalidParamError(key, msg)


@attrs.frozen(kw_only=True)
class FixedScaleParams:
    """Parameters of ``fixed_scale``: ``x' = (x - offset) / scale`` per channel.

    Attributes:
        scale: one value for every channel or one per channel; each > 0 (sensor units per network
            unit).
        offset: one value for every channel or one per channel (sensor units).
    """

    scale: list[float] = attrs.field(
        factory=lambda: [255.0],
        validator=[finite_values, each(in_range(0.0, math.inf, low_open=True))],
    )
    offset: list[float] = attrs.field(factory=lambda: [0.0], validator=finite_values)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Each list holds 1 value or ``context.channels`` values."""
        return [
            *channel_list_fits("scale", self.scale, context.channels),
            *channel_list_fits("offset", self.offset, context.channels),
        ]


@attrs.frozen(kw_only=True)
class MinMaxParams:
    """Parameters of ``minmax``: maps ``[minimum, maximum]`` per channel onto ``target``.

    Attributes:
        minimum: sensor value mapped to the low end (0 or -1); 1 value or one per channel.
        maximum: sensor value mapped to 1; must exceed ``minimum`` channel by channel.
        target: ``"zero_one"`` for ``[0, 1]`` or ``"minus_one_one"`` for ``[-1, 1]``.
    """

    minimum: list[float] = attrs.field(factory=lambda: [0.0], validator=finite_values)
    maximum: list[float] = attrs.field(
        factory=lambda: [255.0], validator=[finite_values, _above_minimum]
    )
    target: Target = attrs.field(default="minus_one_one", validator=one_of_targets)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Each list holds 1 value or ``context.channels`` values."""
        return [
            *channel_list_fits("minimum", self.minimum, context.channels),
            *channel_list_fits("maximum", self.maximum, context.channels),
        ]


class _PerChannelAffine(ChannelChecked):
    """``normalise: (x - shift) / scale``, ``denormalise: x * scale + shift``, per channel."""

    shift: Tensor
    scale: Tensor

    def __init__(self, channels: int, shift: Sequence[float], scale: Sequence[float]) -> None:
        super().__init__(channels)
        self.register_buffer("shift", per_channel(shift, channels))
        self.register_buffer("scale", per_channel(scale, channels))

    def _stats(self, x: Tensor) -> tuple[Tensor, Tensor]:
        shape = (1, self.channels) + (1,) * (x.ndim - 2)
        return self.shift.to(x.dtype).view(shape), self.scale.to(x.dtype).view(shape)

    def normalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Sensor units ``[B, C, *S]`` → network range, same shape."""
        x = self._validated(x, branch)
        shift, scale = self._stats(x)
        return (x - shift) / scale

    def denormalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Network range ``[B, C, *S]`` → sensor units, same shape."""
        x = self._validated(x, branch)
        shift, scale = self._stats(x)
        return x * scale + shift


@register_normaliser("identity", params=NoParams)
class IdentityNormaliser(ChannelChecked):
    """Leaves values unchanged (only promotes them to at least float32)."""

    def __init__(self, channels: int, params: NoParams | None = None) -> None:
        super().__init__(channels)
        self.params = params or NoParams()

    def normalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Return ``x`` ``[B, C, *S]`` as is."""
        return self._validated(x, branch)

    def denormalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Return ``x`` ``[B, C, *S]`` as is."""
        return self._validated(x, branch)


@register_normaliser("fixed_scale", params=FixedScaleParams)
class FixedScaleNormaliser(_PerChannelAffine):
    """``x' = (x - offset) / scale`` per channel; the default maps ``0..255`` onto ``0..1``."""

    def __init__(self, channels: int, params: FixedScaleParams | None = None) -> None:
        params = params or FixedScaleParams()
        raise_first(channel_list_fits("scale", params.scale, channels))
        raise_first(channel_list_fits("offset", params.offset, channels))
        super().__init__(channels, shift=params.offset, scale=params.scale)
        self.params = params


@register_normaliser("minmax", params=MinMaxParams)
class MinMaxNormaliser(_PerChannelAffine):
    """Maps ``[minimum, maximum]`` per channel onto ``[0, 1]`` or ``[-1, 1]`` (no clipping)."""

    def __init__(self, channels: int, params: MinMaxParams | None = None) -> None:
        params = params or MinMaxParams()
        raise_first(channel_list_fits("minimum", params.minimum, channels))
        raise_first(channel_list_fits("maximum", params.maximum, channels))
        low = torch.tensor(params.minimum, dtype=torch.float64).expand(channels)
        high = torch.tensor(params.maximum, dtype=torch.float64).expand(channels)
        if params.target == "zero_one":
            shift, scale = low, high - low
        else:
            shift, scale = (low + high) / 2, (high - low) / 2
        super().__init__(channels, shift=shift.tolist(), scale=scale.tolist())
        self.params = params
