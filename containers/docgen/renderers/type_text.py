"""Types written for people reading a spec reference: ``int``, ``one of `2d`, `3d```, ``list of str``."""

from __future__ import annotations

import collections.abc as abc
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import attrs

from containers.docgen.renderers.yaml_text import yaml_value
from containers.spec.values import union_members

Linker = Callable[[type[Any]], str]
"""Markdown for a reference to a nested attrs class (a link to its section)."""

_SIMPLE: dict[Any, str] = {
    int: "int",
    float: "float",
    str: "str",
    bool: "bool",
    type(None): "null",
    Any: "any value",
    Path: "str (a path)",
}
_SEQUENCES: tuple[Any, ...] = (list, abc.Sequence, abc.MutableSequence)
_SETS: tuple[Any, ...] = (set, frozenset, abc.Set, abc.MutableSet)
_MAPPINGS: tuple[Any, ...] = (dict, abc.Mapping, abc.MutableMapping)


def type_text(annotation: Any, link: Linker) -> str:
    """Markdown naming ``annotation`` as YAML values (``float`` accepts ints, as the loader does)."""
    if annotation in _SIMPLE:
        return _SIMPLE[annotation]
    if isinstance(annotation, type) and attrs.has(annotation):
        return link(annotation)
    members = union_members(annotation)
    if len(members) > 1:
        return _union_text(members, link)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{yaml_value(choice)}`" for choice in args)
    if origin is tuple:
        if args and args[-1] is not Ellipsis:
            return "list `[" + ", ".join(type_text(arg, link) for arg in args) + "]`"
        return "list of " + type_text(args[0] if args else Any, link)
    if annotation in _SEQUENCES or origin in _SEQUENCES:
        return "list of " + type_text(args[0] if args else Any, link)
    if annotation in _SETS or origin in _SETS:
        return "list of distinct " + type_text(args[0] if args else Any, link)
    if annotation in _MAPPINGS or origin in _MAPPINGS:
        if len(args) == 2 and args[1] is not Any:
            return f"mapping of {type_text(args[0], link)} to {type_text(args[1], link)}"
        return "mapping"
    return f"`{getattr(annotation, '__name__', str(annotation))}`"


def _union_text(members: tuple[Any, ...], link: Linker) -> str:
    """``int or null``; Literal members are merged into one ``one of`` list."""
    choices = [
        choice for member in members if get_origin(member) is Literal for choice in get_args(member)
    ]
    others = [member for member in members if get_origin(member) is not Literal]
    names = []
    if choices:
        names.append("one of " + ", ".join(f"`{yaml_value(choice)}`" for choice in choices))
    names += [type_text(member, link) for member in others]
    return " or ".join(names)
