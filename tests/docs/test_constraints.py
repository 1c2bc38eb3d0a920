"""Constraints are read back from validators, and every validator rejects what its schema rejects."""

from __future__ import annotations

import math
from typing import Any

import attrs
import jsonschema
import pytest

from containers.docgen.model.constraints import Constraint, constraints_of, merged_schema
from gan_engine import param_validators, params
from gan_engine.errors import InvalidParamError
from gan_engine.param_validators import at_least, each, in_range, odd


@attrs.define
class _Holder:
    x: Any = None


def finite_only(_instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    """Validate a finite number (an attrs validator)."""


VALIDATORS: list[tuple[Any, Constraint]] = [
    (at_least(1), Constraint("≥ 1", {"minimum": 1})),
    (at_least(-1), Constraint("≥ -1", {"minimum": -1})),
    (
        in_range(0.0, 1.0, low_open=True),
        Constraint("in (0, 1]", {"exclusiveMinimum": 0.0, "maximum": 1.0}),
    ),
    (
        in_range(0.0, 0.5, high_open=True),
        Constraint("in [0, 0.5)", {"minimum": 0.0, "exclusiveMaximum": 0.5}),
    ),
    (
        in_range(0.0, math.inf, low_open=True, high_open=True),
        Constraint("> 0", {"exclusiveMinimum": 0.0}),
    ),
    (odd(), Constraint("odd", {"not": {"type": "integer", "multipleOf": 2}})),
    (each(at_least(0.0)), Constraint("each item ≥ 0", {"items": {"minimum": 0.0}})),
]
VALUES = [-2, -1, 0, 0.25, 0.5, 1, 2, 4, 7]


def test_params_validators_are_the_self_describing_ones() -> None:
    # one implementation: what params.py hands to parameter classes is what docgen describes
    for name in ("at_least", "in_range", "odd", "each", "one_of"):
        assert getattr(params, name) is getattr(param_validators, name)


@pytest.mark.parametrize(("validator", "expected"), VALIDATORS)
def test_constraints_are_read_back_from_the_validator(validator: Any, expected: Constraint) -> None:
    assert constraints_of(validator) == [expected]


# odd() guards integer fields (the field's type adds "integer" to the schema): integers only there
CASES = [
    (validator, expected, value)
    for validator, expected in VALIDATORS
    for value in VALUES
    if not isinstance(validator, param_validators.Odd) or value == int(value)
]


def _rejection(validator: Any, value: Any) -> InvalidParamError | None:
    try:
        validator(None, attrs.fields(_Holder).x, value)
    except InvalidParamError as error:
        return error
    return None


@pytest.mark.parametrize(("validator", "expected", "value"), CASES)
def test_the_validator_rejects_exactly_what_its_documented_schema_rejects(
    validator: Any, expected: Constraint, value: float
) -> None:
    # the docs and the JSON schema show the constraint: the validator must agree with them
    checked: Any = [value, value] if isinstance(validator, param_validators.Each) else value
    documented = jsonschema.Draft202012Validator(expected.schema).is_valid(checked)
    error = _rejection(validator, checked)
    if documented:
        assert error is None, f"{value} is allowed by {expected.text} but rejected: {error}"
    else:
        assert error is not None, f"{value} is not {expected.text} but was accepted"
        assert error.key.split(".")[0] == "x"


def test_attrs_validators_and_combinations() -> None:
    optional = attrs.validators.optional(at_least(1))
    assert constraints_of(optional) == [Constraint("≥ 1", {"minimum": 1})]
    both = [at_least(3), odd()]
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
