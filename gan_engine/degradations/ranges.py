"""Validators for the ranges, probabilities and weighted choices of stage parameters."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from gan_engine.errors import InvalidParamError

Range = tuple[float, float]
"""``(low, high)``: a value is drawn uniformly in between per sample; ``low == high`` fixes it."""


@attrs.frozen
class RangeWithin:
    """attrs validator: ``(low, high)`` with ``bound_low <= low <= high <= bound_high``."""

    low: float
    high: float

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Raise :class:`InvalidParamError` naming ``attribute`` for a bad range."""
        if value is None:
            return
        low, high = value
        if not (math.isfinite(low) and math.isfinite(high)) or low > high:
            msg = f"expected [low, high] with low <= high, got [{low}, {high}]"
            raise InvalidParamError(attribute.name, msg)
        if low < self.low or high > self.high:
            msg = f"expected a range within [{self.low}, {self.high}], got [{low}, {high}]"
            raise InvalidParamError(attribute.name, msg)

    def describe(self) -> str:
        """The constraint for people."""
        return f"[low, high] within [{self.low}, {self.high}]"

    def json_schema(self) -> dict[str, Any]:
        """The constraint as JSON Schema keywords."""
        return {}


def range_within(low: float, high: float = math.inf) -> RangeWithin:
    """A validator for ``(low, high)`` ranges inside ``[low, high]``."""
    return RangeWithin(low, high)


@attrs.frozen
class WeightsOver:
    """attrs validator: a mapping of allowed names to probabilities in [0, 1] summing to 1."""

    names: tuple[str, ...]

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Raise :class:`InvalidParamError` naming ``attribute`` (and the key) for bad weights."""
        if not isinstance(value, Mapping) or not value:
            msg = f"expected a mapping of {list(self.names)} to probabilities, got {value!r}"
            raise InvalidParamError(attribute.name, msg)
        for name, weight in value.items():
            if name not in self.names:
                key = f"{attribute.name}.{name}"
                msg = f"unknown choice {name!r}; expected some of {list(self.names)}"
                raise InvalidParamError(key, msg)
            if not 0.0 <= weight <= 1.0:
                key = f"{attribute.name}.{name}"
                msg = f"a probability must be in [0, 1], got {weight}"
                raise InvalidParamError(key, msg)
        total = sum(value.values())
        if abs(total - 1.0) > 1e-6:
            msg = f"the probabilities must sum to 1, they sum to {total:g}"
            raise InvalidParamError(attribute.name, msg)

    def describe(self) -> str:
        """The constraint for people."""
        return "probabilities of " + ", ".join(self.names) + " summing to 1"

    def json_schema(self) -> dict[str, Any]:
        """The constraint as JSON Schema keywords."""
        return {"propertyNames": {"enum": list(self.names)}}


def weights_over(names: Sequence[str]) -> WeightsOver:
    """A validator for ``{choice: probability}`` mappings over ``names`` summing to 1."""
    return WeightsOver(tuple(names))


def split_weights(weights: Mapping[str, float]) -> tuple[list[str], list[float]]:
    """Names and probabilities of a weights mapping, in a stable (insertion) order."""
    return list(weights), [float(w) for w in weights.values()]
