"""What the perceptual losses share: input options of 3-band backbones and feature distances."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import attrs
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.losses.bands import check_channel_options, check_channels_fit
from gan_engine.params import at_least
from gan_engine.types import BuildContext

Criterion: TypeAlias = Literal["l1", "l2"]
"""Distance between two feature maps: mean absolute or mean squared difference."""


def feature_distance(criterion: Criterion, a: Tensor, b: Tensor) -> Tensor:
    """Mean absolute (``l1``) or squared (``l2``) difference of two equally shaped feature maps."""
    difference = a - b
    return difference.abs().mean() if criterion == "l1" else difference.square().mean()


def check_criterion(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: ``l1`` or ``l2``."""
    if value not in ("l1", "l2"):
        raise InvalidParamError(attribute.name, f"expected 'l1' or 'l2', got {value!r}")


def to_pair(value: Sequence[float]) -> tuple[float, float]:
    """Attrs converter: ``[low, high]`` → ``(low, high)`` (checked by :func:`check_value_range`)."""
    items = tuple(value)
    if len(items) != 2:
        key = "value_range"
        raise InvalidParamError(key, f"expected [low, high], got {list(items)}")
    return (items[0], items[1])


def check_value_range(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: ``low < high``."""
    low, high = value
    if not low < high:
        raise InvalidParamError(
            attribute.name, f"expected [low, high] with low < high, got {list(value)}"
        )


def check_weights_path(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: ``weights_path`` only with ``pretrained: true``."""
    if value is not None and not instance.pretrained:
        raise InvalidParamError(attribute.name, "given while pretrained is false; drop one of them")


@attrs.frozen(kw_only=True)
class BackboneInputs:
    """How a perceptual loss feeds ``[B, C, *S]`` normalised data to a 3-band 2D backbone.

    Attributes:
        value_range: ``[low, high]`` of the normalised data the loss sees; the default ``[-1, 1]``
            matches the default normalisation. Each loss maps it to its backbone's input range.
        channels: 3 band indices fed to the network as RGB, e.g. ``[3, 2, 1]`` for Sentinel-2
            B4/B3/B2 (see :mod:`gan_engine.losses.bands`). ``None``: 3 bands are used as is, 1 band
            is repeated, other counts need ``channels`` or ``random_channels``.
        random_channels: draw 3 distinct bands per step (exclusive with ``channels``).
        max_slices: 3D inputs only (2.5D): at most this many random slices per axis; ``None``: all.
    """

    value_range: tuple[float, float] = attrs.field(
        default=(-1.0, 1.0), converter=to_pair, validator=check_value_range
    )
    channels: list[int] | None = None
    random_channels: bool = False
    max_slices: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(at_least(1))
    )

    def __attrs_post_init__(self) -> None:
        check_channel_options(self.channels, self.random_channels, 3)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """The band options must fit the run's band count."""
        return check_channels_fit(self.channels, self.random_channels, 3, context)
