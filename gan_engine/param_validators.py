"""Parameter validators that say what they allow: the ones :mod:`gan_engine.params` exports.

``at_least``, ``in_range``, ``odd``, ``one_of`` and ``each`` are small frozen attrs objects rather than
closures: each raises :class:`~gan_engine.errors.InvalidParamError` naming the field, and has
``describe()`` (``≥ 1``, ``in (0, 1]``) and ``json_schema()`` (``{"minimum": 1}``), from which the
documentation generator reads the bounds without looking inside closures. :mod:`gan_engine.params`
re-exports them, so components import them from either module::

    from gan_engine.params import at_least, each, in_range, odd
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

import attrs

from gan_engine.errors import InvalidParamError


class DescribedValidator(Protocol):
    """An attrs field validator that can describe its constraint."""

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Raise :class:`InvalidParamError` naming ``attribute`` when ``value`` is not allowed."""
        ...

    def describe(self) -> str:
        """The constraint for people: ``≥ 1``, ``in (0, 1]``, ``odd``."""
        ...

    def json_schema(self) -> dict[str, Any]:
        """The constraint as JSON Schema keywords."""
        ...


def _number(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else repr(value)


@attrs.frozen
class AtLeast:
    """Require ``value >= bound`` (ints or floats)."""

    bound: float

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Validate ``value`` (a non-number, such as ``"auto"`` of an ``int | "auto"`` field, passes)."""
        if isinstance(value, int | float) and value < self.bound:
            raise InvalidParamError(attribute.name, f"must be >= {self.bound}, got {value}")

    def describe(self) -> str:
        """``≥ bound``."""
        return f"≥ {_number(self.bound)}"

    def json_schema(self) -> dict[str, Any]:
        """``{"minimum": bound}``."""
        return {"minimum": self.bound}


@attrs.frozen
class InRange:
    """Require ``low <= value <= high``, each end optionally open; an infinite end is no bound."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Validate ``value``."""
        below = value <= self.low if self.low_open else value < self.low
        above = value >= self.high if self.high_open else value > self.high
        if below or above:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            message = f"must be in {left}{self.low}, {self.high}{right}, got {value}"
            raise InvalidParamError(attribute.name, message)

    def describe(self) -> str:
        """``in (0, 1]``, or ``> 0`` when the upper end is infinite."""
        if not math.isfinite(self.high):
            return f"{'>' if self.low_open else '≥'} {_number(self.low)}"
        if not math.isfinite(self.low):
            return f"{'<' if self.high_open else '≤'} {_number(self.high)}"
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"in {left}{_number(self.low)}, {_number(self.high)}{right}"

    def json_schema(self) -> dict[str, Any]:
        """``minimum``/``exclusiveMinimum`` and ``maximum``/``exclusiveMaximum`` for finite ends."""
        schema: dict[str, Any] = {}
        if math.isfinite(self.low):
            schema["exclusiveMinimum" if self.low_open else "minimum"] = self.low
        if math.isfinite(self.high):
            schema["exclusiveMaximum" if self.high_open else "maximum"] = self.high
        return schema


@attrs.frozen
class Odd:
    """Require an odd integer (kernel sizes that keep spatial size with 'same' padding)."""

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Validate ``value``."""
        if value % 2 != 1:
            raise InvalidParamError(attribute.name, f"must be odd, got {value}")

    def describe(self) -> str:
        """``odd``."""
        return "odd"

    def json_schema(self) -> dict[str, Any]:
        """Not a multiple of 2."""
        return {"not": {"type": "integer", "multipleOf": 2}}


@attrs.frozen
class OneOf:
    """Require one of a fixed set of choices (for string options checked at construction)."""

    choices: tuple[Any, ...]

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Validate ``value``."""
        if value not in self.choices:
            expected = ", ".join(map(repr, self.choices))
            raise InvalidParamError(attribute.name, f"expected one of {expected}, got {value!r}")

    def describe(self) -> str:
        """``one of `a`, `b```."""
        return "one of " + ", ".join(f"`{choice}`" for choice in self.choices)

    def json_schema(self) -> dict[str, Any]:
        """An ``enum``."""
        return {"enum": list(self.choices)}


@attrs.frozen
class Each:
    """Apply ``validator`` to every item of a sequence, naming the item's index."""

    validator: DescribedValidator

    def __call__(
        self, instance: Any, attribute: attrs.Attribute[Any], value: Sequence[Any]
    ) -> None:
        """Validate every item of ``value``."""
        for index, item in enumerate(value):
            try:
                self.validator(instance, attribute, item)
            except InvalidParamError as error:
                key = f"{attribute.name}.{index}"
                raise InvalidParamError(key, error.message) from None

    def describe(self) -> str:
        """``each item ≥ 0``."""
        return f"each item {self.validator.describe()}"

    def json_schema(self) -> dict[str, Any]:
        """The item constraint under ``items``."""
        return {"items": self.validator.json_schema()}


def at_least(bound: float) -> AtLeast:
    """Require ``value >= bound`` (for ints or floats)."""
    return AtLeast(bound)


def in_range(
    low: float, high: float, *, low_open: bool = False, high_open: bool = False
) -> InRange:
    """Require ``low <= value <= high`` (each end optionally open)."""
    return InRange(low, high, low_open, high_open)


def odd() -> Odd:
    """Require an odd integer."""
    return Odd()


def one_of(choices: Sequence[Any]) -> OneOf:
    """Require one of ``choices``."""
    return OneOf(tuple(choices))


def each(validator: DescribedValidator) -> Each:
    """Apply ``validator`` to every item of a sequence."""
    return Each(validator)
