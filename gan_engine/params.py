"""Validators for component parameter classes that name the offending key.

Parameter classes are attrs classes; these validators raise :class:`~gan_engine.errors.InvalidParamError`
carrying the attribute name, so the spec layer can point at the exact YAML line. A parameter class may also
define ``check(context)`` for constraints that depend on the run (dims, channels, scale, files on disk).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

from gan_engine.errors import InvalidParamError
from gan_engine.types import BuildContext

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


@runtime_checkable
class ContextChecked(Protocol):
    """A parameter class whose values must agree with the run's dims, channels or scale."""

    def check(self, context: BuildContext) -> Iterable[InvalidParamError]:
        """Yield one error per problem; nothing when the parameters fit the context."""
        ...


def at_least(bound: float) -> Validator:
    """Require ``value >= bound`` (for ints or floats)."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value < bound:
            raise InvalidParamError(attribute.name, f"must be >= {bound}, got {value}")

    return validate


def in_range(
    low: float, high: float, *, low_open: bool = False, high_open: bool = False
) -> Validator:
    """Require ``low <= value <= high`` (each end optionally open)."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        below = value <= low if low_open else value < low
        above = value >= high if high_open else value > high
        if below or above:
            left = "(" if low_open else "["
            right = ")" if high_open else "]"
            raise InvalidParamError(
                attribute.name, f"must be in {left}{low}, {high}{right}, got {value}"
            )

    return validate


def odd() -> Validator:
    """Require an odd integer (kernel sizes that keep spatial size with 'same' padding)."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value % 2 != 1:
            raise InvalidParamError(attribute.name, f"must be odd, got {value}")

    return validate


def each(validator: Validator) -> Validator:
    """Apply ``validator`` to every item of a sequence, naming the item's index."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Sequence[Any]) -> None:
        for index, item in enumerate(value):
            try:
                validator(instance, attribute, item)
            except InvalidParamError as error:
                msg = f"{attribute.name}.{index}"
                raise InvalidParamError(msg, error.message) from None

    return validate


def channel_list_fits(key: str, values: Sequence[Any], channels: int) -> list[InvalidParamError]:
    """A per-channel list must hold one value (broadcast) or one per channel."""
    if len(values) in (1, channels):
        return []
    return [
        InvalidParamError(
            key, f"expected 1 or {channels} values (one per channel), got {len(values)}"
        )
    ]
