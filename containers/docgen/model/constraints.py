"""What an attrs validator allows, read back from the validator: for the docs and the JSON Schema.

Three kinds of validators are understood:

- validators that describe themselves (:class:`SelfDescribing`: ``describe()`` and ``json_schema()``),
  such as :mod:`gan_engine.params`' ``at_least``, ``in_range``, ``odd`` and ``each``;
- attrs' own (``optional``, ``and_``, ``in_``, ``ge``/``gt``/``le``/``lt``, ``min_len``/``max_len``);
- any other function: its docstring's first line is shown, with no schema.
"""

from __future__ import annotations

import inspect
import math
import re
from typing import Any, Protocol, runtime_checkable

import attrs

from containers.docgen.model.docstrings import markdown


@runtime_checkable
class SelfDescribing(Protocol):
    """A validator that says what it allows."""

    def describe(self) -> str:
        """What the value must be, e.g. ``≥ 1`` or ``in (0, 1]``."""
        ...

    def json_schema(self) -> dict[str, Any]:
        """JSON Schema keywords that express the same constraint."""
        ...


@attrs.frozen
class Constraint:
    """One constraint on a value.

    Attributes:
        text: what it requires, for people (``≥ 1``, ``in (0, 1]``, ``odd``, ``each item > 0``).
        schema: the same as JSON Schema keywords (empty when it cannot be expressed).
    """

    text: str
    schema: dict[str, Any] = attrs.field(factory=dict)


def number(value: float) -> str:
    """A bound as people write it: ``1`` rather than ``1.0``, ``0.0001`` as is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _range_constraint(low: float, high: float, low_open: bool, high_open: bool) -> Constraint:
    schema: dict[str, Any] = {}
    if math.isfinite(low):
        schema["exclusiveMinimum" if low_open else "minimum"] = low
    if math.isfinite(high):
        schema["exclusiveMaximum" if high_open else "maximum"] = high
    if not math.isfinite(high):
        return Constraint(f"{'>' if low_open else '≥'} {number(low)}", schema)
    if not math.isfinite(low):
        return Constraint(f"{'<' if high_open else '≤'} {number(high)}", schema)
    left, right = "(" if low_open else "[", ")" if high_open else "]"
    return Constraint(f"in {left}{number(low)}, {number(high)}{right}", schema)


def _each(inner: Constraint) -> Constraint:
    return Constraint(f"each item {inner.text}", {"items": inner.schema} if inner.schema else {})


_COMPARISONS = {
    ">=": ("≥", "minimum"),
    ">": (">", "exclusiveMinimum"),
    "<=": ("≤", "maximum"),
    "<": ("<", "exclusiveMaximum"),
}


def _from_attrs_validator(validator: Any) -> list[Constraint] | None:
    """Constraints of one of attrs' own validators, or ``None`` for anything else."""
    kind = type(validator).__name__
    if kind == "_OptionalValidator":
        return constraints_of(validator.validator)
    if kind == "_AndValidator":
        return [found for inner in validator._validators for found in constraints_of(inner)]
    if kind == "_InValidator":
        options = list(validator.options)
        shown = ", ".join(f"`{option}`" for option in options)
        plain = all(isinstance(option, str | int | float | bool) for option in options)
        return [Constraint(f"one of {shown}", {"enum": options} if plain else {})]
    if kind == "_NumberValidator" and validator.compare_op in _COMPARISONS:
        sign, keyword = _COMPARISONS[validator.compare_op]
        return [Constraint(f"{sign} {number(validator.bound)}", {keyword: validator.bound})]
    if kind == "_MinLengthValidator":
        size = validator.min_length
        return [Constraint(f"at least {size} items", {"minItems": size})]
    if kind == "_MaxLengthValidator":
        size = validator.max_length
        return [Constraint(f"at most {size} items", {"maxItems": size})]
    return None


def _from_docstring(validator: Any) -> list[Constraint]:
    """A plain validator function: the first line of its docstring, cleaned of validator jargon."""
    doc = (inspect.getdoc(validator) or "").strip().splitlines()
    if not doc:
        return []
    text = re.sub(r"\s*\(an attrs validator\)", "", doc[0])
    text = re.sub(r"^(attrs validator:\s*|validate\s+|require\s+)", "", text, flags=re.IGNORECASE)
    return [Constraint(f"checked: {markdown(text.rstrip('.'))}")] if text else []


def constraints_of(validator: Any) -> list[Constraint]:
    """Every constraint ``validator`` (an attrs field validator, possibly ``None``) enforces."""
    if validator is None:
        return []
    if isinstance(validator, SelfDescribing):
        return [Constraint(validator.describe(), validator.json_schema())]
    if isinstance(validator, list | tuple):
        return [found for inner in validator for found in constraints_of(inner)]
    found = _from_attrs_validator(validator)
    if found is None:
        found = _from_docstring(validator)
    return found


def merged_schema(constraints: list[Constraint]) -> dict[str, Any]:
    """The JSON Schema keywords of several constraints (``allOf`` where two use the same keyword)."""
    merged: dict[str, Any] = {}
    extra: list[dict[str, Any]] = []
    for constraint in constraints:
        if any(key in merged for key in constraint.schema):
            extra.append(constraint.schema)
        else:
            merged.update(constraint.schema)
    if extra:
        merged["allOf"] = extra
    return merged
