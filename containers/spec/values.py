"""Plain YAML values: echoed in messages, described by type, stripped of ruamel's types."""

from __future__ import annotations

import datetime
import math
import types
from collections.abc import Mapping, Sequence, Set
from typing import Any, Literal, TypeGuard, Union, get_args, get_origin

import attrs
from ruamel.yaml.scalarbool import ScalarBoolean

_MAX_ECHO = 60
_SEQUENCES: tuple[Any, ...] = (list, tuple, set, frozenset, Sequence, Set)
_MAPPINGS: tuple[Any, ...] = (dict, Mapping)


def is_bool(value: object) -> bool:
    """Whether ``value`` is a YAML boolean (ruamel loads anchored ones as an ``int`` subclass)."""
    return isinstance(value, bool | ScalarBoolean)


def is_int(value: object) -> bool:
    """Whether ``value`` is an integer and not a boolean."""
    return isinstance(value, int) and not is_bool(value)


def is_number(value: object) -> bool:
    """Whether ``value`` is an int or a float and not a boolean."""
    return is_int(value) or isinstance(value, float)


def is_list(value: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    """Whether ``value`` is a YAML sequence (a list or tuple, never a string)."""
    return isinstance(value, list | tuple)


def yaml_repr(value: object) -> str:
    """Echo a value as it would be written in YAML: ``'text'``, ``true``, ``null``, ``4.7``."""
    if value is None:
        return "null"
    if is_bool(value):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return _float_repr(float(value))
    if isinstance(value, str):
        text = str(value)
        if len(text) > _MAX_ECHO:
            text = text[: _MAX_ECHO - 1] + "…"
        return "'" + text.replace("'", "''") + "'"
    if isinstance(value, Mapping) or attrs.has(type(value)):
        return "a mapping"
    if is_list(value) or isinstance(value, Set):
        return "a list"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return repr(value)


def _float_repr(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def to_plain(value: Any) -> Any:
    """Convert ruamel containers and scalars (CommentedMap, ScalarFloat, …) to plain Python data.

    Tuples become lists so the result is also plain YAML/JSON data; other objects pass through.
    """
    if is_bool(value):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {to_plain(key): to_plain(item) for key, item in value.items()}
    if is_list(value):
        return [to_plain(item) for item in value]
    return value


def union_members(annotation: Any) -> tuple[Any, ...]:
    """The members of a ``Union``/``X | Y`` annotation, or the annotation alone."""
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return (annotation,)


def describe_type(annotation: Any) -> str:
    """Name a type as a YAML writer thinks of it: ``int``, ``one of '2d', '3d'``, ``a list``."""
    members = union_members(annotation)
    if len(members) > 1:
        names = [describe_type(member) for member in members]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    simple = {
        int: "int",
        float: "float",
        str: "str",
        bool: "bool (true or false)",
        type(None): "null",
        Any: "any value",
    }
    if annotation in simple:
        return simple[annotation]
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(yaml_repr(choice) for choice in get_args(annotation))
    args = get_args(annotation)
    if annotation in _SEQUENCES or origin in _SEQUENCES:
        if origin is tuple and args and args[-1] is not Ellipsis:
            return f"a list of {len(args)} items"
        return "a list" + _of_items(args[0] if args else Any)
    if annotation in _MAPPINGS or origin in _MAPPINGS:
        if len(args) == 2:
            return f"a mapping of {describe_type(args[0])} to {describe_type(args[1])}"
        return "a mapping"
    if attrs.has(annotation):
        return "a mapping"
    return getattr(annotation, "__name__", str(annotation))


def _of_items(item: Any) -> str:
    """`` of int`` or `` of mappings`` for a list's items; nothing when that says no more."""
    if item in (int, float, str, bool):
        return f" of {describe_type(item)}"
    if item in _MAPPINGS or get_origin(item) in _MAPPINGS or attrs.has(item):
        return " of mappings"
    return ""
