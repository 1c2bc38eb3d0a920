"""Fixed per-channel normalisers: ``identity``, ``fixed_scale`` and ``minmax``.

Each is an ``nn.Module`` for batches ``[B, C, *S]`` in 2D and 3D that applies the same per-channel
affine map to both branches. The statistics are float32 buffers of shape ``[C]`` (reshaped to
``[1, C, 1, ...]`` per call, so one normaliser serves 2D and 3D), hence they travel in
``state_dict`` and follow ``.to()``. Results are at least float32: integer and half-precision inputs
are computed in float32, float64 stays float64.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeAlias

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.params import channel_list_fits, each, in_range
from gan_engine.registry import NoParams, register_normaliser
from gan_engine.types import Branch, BuildContext, Sample, spatial_dims_of

Target: TypeAlias = Literal["zero_one", "minus_one_one"]
TARGETS: tuple[Target, ...] = ("zero_one", "minus_one_one")
BRANCHES: tuple[Branch, ...] = ("lr", "hr")


def _finite_values(_instance: Any, attribute: attrs.Attribute[Any], value: Sequence[float]) -> None:
    if len(value) == 0:
        raise InvalidParamError(attribute.name, "expected at least one value, got an empty list")
    for index, item in enumerate(value):
        if not math.isfinite(item):
            key = f"{attribute.name}.{index}"
            raise InvalidParamError(key, f"must be finite, got {item}")


def _one_of_targets(_instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in TARGETS:
        raise InvalidParamError(attribute.name, f"expected one of {list(TARGETS)}, got {value!r}")


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
        validator=[_finite_values, each(in_range(0.0, math.inf, low_open=True))],
    )
    offset: list[float] = attrs.field(factory=lambda: [0.0], validator=_finite_values)

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

    minimum: list[float] = attrs.field(factory=lambda: [0.0], validator=_finite_values)
    maximum: list[float] = attrs.field(
        factory=lambda: [255.0], validator=[_finite_values, _above_minimum]
    )
    target: Target = attrs.field(default="minus_one_one", validator=_one_of_targets)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Each list holds 1 value or ``context.channels`` values."""
        return [
            *channel_list_fits("minimum", self.minimum, context.channels),
            *channel_list_fits("maximum", self.maximum, context.channels),
        ]


def _check_channels(channels: int) -> None:
    if channels < 1:
        msg = f"channels must be >= 1, got {channels}"
        raise ValueError(msg)


def _raise_first(errors: Iterable[InvalidParamError]) -> None:
    for error in errors:
        raise error


def _per_channel(values: Sequence[float], channels: int) -> Tensor:
    """Broadcast a 1-or-C list to a float32 ``[C]`` tensor."""
    return torch.tensor([float(v) for v in values], dtype=torch.float64).expand(channels).float()


class _ChannelChecked(nn.Module):
    """Input checks shared by the built-in normalisers."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        _check_channels(channels)
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
        return f"channels={self.channels}"


class _PerChannelAffine(_ChannelChecked):
    """``normalise: (x - shift) / scale``, ``denormalise: x * scale + shift``, per channel."""

    shift: Tensor
    scale: Tensor

    def __init__(self, channels: int, shift: Sequence[float], scale: Sequence[float]) -> None:
        super().__init__(channels)
        self.register_buffer("shift", _per_channel(shift, channels))
        self.register_buffer("scale", _per_channel(scale, channels))

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
class IdentityNormaliser(_ChannelChecked):
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
        _raise_first(channel_list_fits("scale", params.scale, channels))
        _raise_first(channel_list_fits("offset", params.offset, channels))
        super().__init__(channels, shift=params.offset, scale=params.scale)
        self.params = params


@register_normaliser("minmax", params=MinMaxParams)
class MinMaxNormaliser(_PerChannelAffine):
    """Maps ``[minimum, maximum]`` per channel onto ``[0, 1]`` or ``[-1, 1]`` (no clipping)."""

    def __init__(self, channels: int, params: MinMaxParams | None = None) -> None:
        params = params or MinMaxParams()
        _raise_first(channel_list_fits("minimum", params.minimum, channels))
        _raise_first(channel_list_fits("maximum", params.maximum, channels))
        low = torch.tensor(params.minimum, dtype=torch.float64).expand(channels)
        high = torch.tensor(params.maximum, dtype=torch.float64).expand(channels)
        if params.target == "zero_one":
            shift, scale = low, high - low
        else:
            shift, scale = (low + high) / 2, (high - low) / 2
        super().__init__(channels, shift=shift.tolist(), scale=scale.tolist())
        self.params = params
