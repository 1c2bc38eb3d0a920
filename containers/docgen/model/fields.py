"""The fields of an attrs class as the docs need them: resolved type, default, description, limits."""

from __future__ import annotations

import collections.abc as abc
import typing
from typing import Any, Literal, get_args, get_origin

import attrs

from containers.docgen.model.constraints import Constraint, constraints_of
from containers.docgen.model.docstrings import field_docs
from containers.spec.values import union_members

_FACTORY_TYPE: type[Any] = type(attrs.Factory(list))


@attrs.frozen
class FieldInfo:
    """One field of an attrs class.

    Attributes:
        name: the key as written in YAML.
        annotation: the field's type with string annotations resolved.
        default: the default value (a factory's product), or ``attrs.NOTHING`` when required.
        computed: the default is computed from the other fields (``Factory(takes_self=True)``).
        doc: the description from the class's ``Attributes:`` docstring section (Markdown).
        constraints: what the field's validators allow.
    """

    name: str
    annotation: Any
    default: Any
    computed: bool
    doc: str
    constraints: tuple[Constraint, ...]

    @property
    def required(self) -> bool:
        """Whether the key must be given."""
        return self.default is attrs.NOTHING and not self.computed


def fields_of(cls: type[Any]) -> list[FieldInfo]:
    """Every init field of the attrs class ``cls``, in declaration order."""
    hints = typing.get_type_hints(cls)
    docs = field_docs(cls)
    found = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        default, computed = field.default, False
        if isinstance(default, _FACTORY_TYPE):
            computed = bool(default.takes_self)
            default = attrs.NOTHING if computed else default.factory()
        found.append(
            FieldInfo(
                name=field.name,
                annotation=hints.get(field.name, Any),
                default=default,
                computed=computed,
                doc=docs.get(field.name, ""),
                constraints=_beyond_type(hints.get(field.name, Any), field.validator),
            )
        )
    return found


def _beyond_type(annotation: Any, validator: Any) -> tuple[Constraint, ...]:
    """The validator's constraints, less a choice list that the ``Literal`` type already states."""
    choices = set(typing.get_args(annotation)) if typing.get_origin(annotation) is Literal else None
    return tuple(
        found
        for found in constraints_of(validator)
        if choices is None or set(found.schema.get("enum", ())) != choices
    )


_CONTAINERS: tuple[Any, ...] = (list, tuple, set, frozenset, dict)
_CONTAINERS += (abc.Sequence, abc.Mapping, abc.Set, abc.MutableSequence, abc.MutableMapping)


def nested_classes(annotation: Any) -> list[type[Any]]:
    """The attrs classes an annotation refers to (through unions, lists, tuples and mappings)."""
    if attrs.has(annotation) and isinstance(annotation, type):
        return [annotation]
    members = union_members(annotation)
    if len(members) > 1:
        return [cls for member in members for cls in nested_classes(member)]
    if get_origin(annotation) in _CONTAINERS:
        return [cls for arg in get_args(annotation) for cls in nested_classes(arg)]
    return []


def is_list_of(annotation: Any) -> bool:
    """Whether ``annotation`` is a list (or sequence) type whose items may be attrs classes."""
    return get_origin(annotation) in (list, abc.Sequence, abc.MutableSequence)
