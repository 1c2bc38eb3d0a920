from __future__ import annotations

from typing import Any, Literal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from containers.spec.converter import CONVERTER
from containers.spec.problems import Issue
from containers.spec.structure_errors import issues_from_error
from containers.spec.values import to_plain, yaml_repr
from gan_engine.params import at_least


@attrs.frozen
class Inner:
    weight: float = 1.0
    size: int = attrs.field(default=1, validator=at_least(1))
    depth: int = attrs.field(default=1, validator=at_least(1))


@attrs.frozen
class Outer:
    count: int
    flag: bool = False
    text: str = ""
    dims: Literal["2d", "3d"] = "2d"
    maybe: int | None = None
    items: list[Inner] = attrs.field(factory=list)
    pair: tuple[float, float] = (0.0, 1.0)
    table: dict[str, int] = attrs.field(factory=dict)
    extra: dict[str, Any] = attrs.field(factory=dict)
    params: Any = attrs.field(factory=dict)


def issues(data: Any, cls: type[Any] = Outer) -> list[tuple[str, str]]:
    with pytest.raises(Exception) as caught:
        CONVERTER.structure(data, cls)
    return [(".".join(map(str, i.path)), i.message) for i in issues_from_error(caught.value)]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("count", "16x", "expected int, got '16x'"),
        ("count", 4.7, "expected int, got 4.7"),
        ("count", True, "expected int, got true"),
        ("count", None, "expected int, got null"),
        ("count", [1], "expected int, got a list"),
        ("flag", "yes", "expected bool (true or false), got 'yes'"),
        ("flag", 1, "expected bool (true or false), got 1"),
        ("text", 3, "expected str, got 3"),
        ("dims", "4d", "expected one of '2d', '3d', got '4d'"),
        ("maybe", "x", "expected int, got 'x'"),
        ("pair", [1.0], "expected a list of 2 items, got 1 item"),
        ("pair", "ab", "expected a list of 2 items, got 'ab'"),
        ("items", "abc", "expected a list of mappings, got 'abc'"),
        ("table", [1], "expected a mapping, got a list"),
        ("params", [1], "expected a mapping, got a list"),
    ],
)
def test_strict_scalars_and_containers(key: str, value: Any, message: str) -> None:
    data = {"count": 1, key: value}
    assert issues(data) == [(key, message)]


def test_floats_accept_ints_and_return_floats() -> None:
    result = CONVERTER.structure({"count": 1, "pair": [0, 2], "items": [{"weight": 3}]}, Outer)
    assert result.pair == (0.0, 2.0)
    assert type(result.pair[0]) is float
    assert type(result.items[0].weight) is float
    with pytest.raises(Exception) as caught:
        CONVERTER.structure({"count": 1, "pair": [True, 1.0]}, Outer)
    assert [i.message for i in issues_from_error(caught.value)] == ["expected float, got true"]


def test_nested_paths_use_list_indices_and_dict_keys() -> None:
    data = {"count": 1, "items": [{}, {"weight": "w", "size": 0}], "table": {"a": 1, "b": "2"}}
    assert issues(data) == [
        ("items.1.weight", "expected float, got 'w'"),
        ("items.1.size", "must be >= 1, got 0"),
        ("table.b", "expected int, got '2'"),
    ]


def test_every_failing_validator_of_a_class_is_reported() -> None:
    assert issues({"size": 0, "depth": -1}, Inner) == [
        ("size", "must be >= 1, got 0"),
        ("depth", "must be >= 1, got -1"),
    ]


def test_unknown_and_missing_keys() -> None:
    found = issues({"cout": 1})
    assert ("", "missing required key 'count'") in found
    assert ("", "unknown key 'cout'; did you mean 'count'?") in found
    found = issues({"count": 1, "zzz": 1})
    allowed = "count, flag, text, dims, maybe, items, pair, table, extra, params"
    assert found == [("", f"unknown key 'zzz'; allowed keys: {allowed}")]


def test_unknown_key_issue_points_at_the_key() -> None:
    with pytest.raises(Exception) as caught:
        CONVERTER.structure({"count": 1, "items": [{"wieght": 1}]}, Outer)
    [issue] = issues_from_error(caught.value)
    assert issue == Issue(
        ("items", 0), "unknown key 'wieght'; did you mean 'weight'?", ("items", 0, "wieght"), "key"
    )


def test_any_becomes_plain_python_data() -> None:
    tree = YAML(typ="rt").load(
        "extra: {a: [1, 2.5, true, null, x]}\nparams: {b: {c: 1e-4}}\ncount: 1"
    )
    result = CONVERTER.structure(tree, Outer)
    assert result.extra == {"a": [1, 2.5, True, None, "x"]}
    assert result.params == {"b": {"c": 1e-4}}
    assert type(result.extra) is dict
    assert type(result.extra["a"]) is list
    assert [type(v) for v in result.extra["a"]] == [int, float, bool, type(None), str]


def test_null_params_mean_no_params() -> None:
    assert CONVERTER.structure({"count": 1, "params": None}, Outer).params == {}


def test_yaml_echo() -> None:
    assert [yaml_repr(v) for v in ("it's", True, None, 3, 0.5, {}, [])] == [
        "'it''s'", "true", "null", "3", "0.5", "a mapping", "a list",
    ]  # fmt: skip


def test_anchored_booleans_are_booleans() -> None:
    tree = YAML(typ="rt").load("a: &t true\nb: *t\n")
    assert to_plain(tree) == {"a": True, "b": True}
    assert issues({"count": tree["b"]}) == [("count", "expected int, got true")]


@given(st.integers())
def test_every_int_is_kept_exactly(value: int) -> None:
    assert CONVERTER.structure({"count": value}, Outer).count == value


@given(st.one_of(st.booleans(), st.floats(allow_nan=False), st.text()))
def test_no_other_scalar_becomes_an_int(value: Any) -> None:
    assert issues({"count": value}) == [("count", f"expected int, got {yaml_repr(value)}")]
