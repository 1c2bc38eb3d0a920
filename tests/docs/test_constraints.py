"""Constraints are read back from validators, and the self-describing validators match params.py's."""

from __future__ import annotations

import math
from typing import Any

import attrs
import pytest

from containers.docgen.model.constraints import Constraint, constraints_of, merged_schema
from gan_engine import param_validators as described
from gan_engine import params as closures
from gan_engine.errors import InvalidParamError


@attrs.define
class _Holder:
    x: Any = None


def finite_only(_instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    """Validate a finite number (an attrs validator)."""


VALIDATORS: list[tuple[Any, Any, Constraint]] = [
    (closures.at_least(1), described.at_least(1), Constraint("≥ 1", {"minimum": 1})),
    (closures.at_least(-1), described.at_least(-1), Constraint("≥ -1", {"minimum": -1})),
    (
        closures.in_range(0.0, 1.0, low_open=True),
        described.in_range(0.0, 1.0, low_open=True),
        Constraint("in (0, 1]", {"exclusiveMinimum": 0.0, "maximum": 1.0}),
    ),
    (
        closures.in_range(0.0, 0.5, high_open=True),
        described.in_range(0.0, 0.5, high_open=True),
        Constraint("in [0, 0.5)", {"minimum": 0.0, "exclusiveMaximum": 0.5}),
    ),
    (
        closures.in_range(0.0, math.inf, low_open=True, high_open=True),
        described.in_range(0.0, math.inf, low_open=True, high_open=True),
        Constraint("> 0", {"exclusiveMinimum": 0.0}),
    ),
    (
        closures.odd(),
        described.odd(),
        Constraint("odd", {"not": {"type": "integer", "multipleOf": 2}}),
    ),
    (
        closures.each(closures.at_least(0.0)),
        described.each(described.at_least(0.0)),
        Constraint("each item ≥ 0", {"items": {"minimum": 0.0}}),
    ),
]


@pytest.mark.parametrize(("closure", "describing", "expected"), VALIDATORS)
def test_bounds_are_read_from_both_forms(
    closure: Any, describing: Any, expected: Constraint
) -> None:
    assert constraints_of(closure) == [expected]
    assert constraints_of(describing) == [expected]


@pytest.mark.parametrize(("closure", "describing", "_expected"), VALIDATORS)
@pytest.mark.parametrize("value", [-2, -1, 0, 0.25, 0.5, 1, 2, 4, 7])
def test_self_describing_validators_raise_what_params_raises(
    closure: Any, describing: Any, _expected: Constraint, value: float
) -> None:
    field = attrs.fields(_Holder).x
    is_each = isinstance(describing, described.Each)
    checked = [value, value] if is_each else value
    outcomes = []
    for validator in (closure, describing):
        try:
            validator(None, field, checked)
            outcomes.append(None)
        except InvalidParamError as error:
            outcomes.append((error.key, error.message))
    assert outcomes[0] == outcomes[1]


def test_attrs_validators_and_combinations() -> None:
    optional = attrs.validators.optional(closures.at_least(1))
    assert constraints_of(optional) == [Constraint("≥ 1", {"minimum": 1})]
    both = [closures.at_least(3), closures.odd()]
    assert [c.text for c in constraints_of(both)] == ["≥ 3", "odd"]
    assert constraints_of(attrs.validators.in_(range(4))) == [
        Constraint("one of `0`, `1`, `2`, `3`", {"enum": [0, 1, 2, 3]})
    ]
    assert constraints_of(attrs.validators.gt(0)) == [Constraint("> 0", {"exclusiveMinimum": 0})]


def test_a_plain_function_is_described_by_its_docstring() -> None:
    assert constraints_of(finite_only) == [Constraint("checked: a finite number")]
    assert constraints_of(None) == []


def test_merged_schema_keeps_clashing_keywords_apart() -> None:
    merged = merged_schema([Constraint("≥ 0", {"minimum": 0}), Constraint("≥ 1", {"minimum": 1})])
    assert merged == {"minimum": 0, "allOf": [{"minimum": 1}]}
