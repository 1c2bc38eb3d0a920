"""JSON Schema (draft 2020-12) for Python type annotations and attrs classes.

Mirrors the loader's strict converter: ``int`` is an integer, ``float`` any number, ``bool`` only
``true``/``false``, ``Literal`` an ``enum``, tuples fixed-length arrays, attrs classes closed objects
(``additionalProperties: false``, as the loader rejects unknown keys).
"""

from __future__ import annotations

import collections.abc as abc
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import attrs

from containers.docgen.model.constraints import merged_schema
from containers.docgen.model.fields import FieldInfo
from containers.docgen.renderers.yaml_text import NotJSONError, json_value
from containers.spec.values import union_members
from gan_engine.hardware.precision import PRECISION_SPELLINGS, PrecisionSetting

Schema = dict[str, Any]
ClassRef = Callable[[type[Any]], Schema]
"""Gives the schema (usually a ``$ref``) for a nested attrs class."""

_SIMPLE: dict[Any, Schema] = {
    int: {"type": "integer"},
    float: {"type": "number"},
    str: {"type": "string"},
    Path: {"type": "string"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
}
_SEQUENCES: tuple[Any, ...] = (list, abc.Sequence, abc.MutableSequence)
_SETS: tuple[Any, ...] = (set, frozenset, abc.Set, abc.MutableSet)
_MAPPINGS: tuple[Any, ...] = (dict, abc.Mapping, abc.MutableMapping)


def type_schema(annotation: Any, ref: ClassRef) -> Schema:
    """The schema of values of ``annotation``; nested attrs classes come from ``ref``."""
    if annotation is Any:
        return {}
    if get_origin(annotation) is Literal and annotation == PrecisionSetting:
        return {"enum": list(PRECISION_SPELLINGS)}  # Lightning's spellings are normalised at load
    if annotation in _SIMPLE:
        return dict(_SIMPLE[annotation])
    if isinstance(annotation, type) and attrs.has(annotation):
        return ref(annotation)
    members = union_members(annotation)
    if len(members) > 1:
        return _union_schema([type_schema(member, ref) for member in members])
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return {"enum": list(args)}
    if origin is tuple and args and args[-1] is not Ellipsis:
        items = [type_schema(arg, ref) for arg in args]
        return {"type": "array", "prefixItems": items, "items": False, "minItems": len(args)}
    if annotation in (*_SEQUENCES, tuple) or origin in (*_SEQUENCES, tuple):
        return _array(args[0] if args else Any, ref)
    if annotation in _SETS or origin in _SETS:
        return {**_array(args[0] if args else Any, ref), "uniqueItems": True}
    if annotation in _MAPPINGS or origin in _MAPPINGS:
        value = type_schema(args[1], ref) if len(args) == 2 else {}
        return {"type": "object", "additionalProperties": value} if value else {"type": "object"}
    msg = f"no JSON Schema for the annotation {annotation!r}"
    raise TypeError(msg)


def _array(item: Any, ref: ClassRef) -> Schema:
    schema: Schema = {"type": "array"}
    items = type_schema(item, ref)
    if items:
        schema["items"] = items
    return schema


def _union_schema(members: list[Schema]) -> Schema:
    """``{"type": [...]}`` for unions of plain types, one ``enum`` for literals and null, else ``anyOf``."""
    if all(set(member) == {"type"} for member in members):
        return {"type": [member["type"] for member in members]}
    if all(set(member) == {"enum"} or member == {"type": "null"} for member in members):
        return {"enum": [v for m in members for v in m.get("enum", [None])]}
    return {"anyOf": members}


def field_schema(field: FieldInfo, ref: ClassRef) -> Schema:
    """A field's schema: its type, its validators' limits, its description and its default."""
    schema = type_schema(field.annotation, ref)
    schema.update(merged_schema(list(field.constraints)))
    return describe(schema, field)


def describe(schema: Schema, field: FieldInfo) -> Schema:
    """``schema`` with the field's description and (JSON-representable, non-section) default added."""
    extra: Schema = {}
    if field.doc:
        extra["description"] = field.doc
    if field.default is not attrs.NOTHING and not attrs.has(type(field.default)):
        with contextlib.suppress(NotJSONError):
            extra["default"] = json_value(field.default)
    return {**schema, **extra}


def object_schema(
    fields: list[FieldInfo], properties: dict[str, Schema], description: str = ""
) -> Schema:
    """A closed object with ``properties``; keys without a default are required."""
    schema: Schema = {"type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = properties
    required = [field.name for field in fields if field.required]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema
