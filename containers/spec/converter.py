"""A cattrs converter with strict scalars: no ``true`` → 1, no ``4.7`` → 4, no ``'16'`` → 16.

cattrs coerces scalars by calling the target type (``int('16')``); every hook here checks the YAML
type instead and raises :class:`SpecValueError` with the expected type and the value echoed as YAML.
Containers raise cattrs' own exception groups with index notes, so the loader can rebuild the
path of each failing key.
"""

from __future__ import annotations

import collections.abc as abc
import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn

from containers.spec.validators import every_validator_error
from containers.spec.values import (
    describe_type,
    is_bool,
    is_int,
    is_list,
    is_number,
    to_plain,
    union_members,
    yaml_repr,
)
from gan_engine.hardware.precision import PrecisionSetting, normalise_precision

Hook = Callable[[Any, Any], Any]

_LISTS: tuple[Any, ...] = (list, abc.Sequence, abc.MutableSequence)
_SETS: tuple[Any, ...] = (set, frozenset, abc.Set, abc.MutableSet)
_DICTS: tuple[Any, ...] = (dict, abc.Mapping, abc.MutableMapping)


class SpecValueError(Exception):
    """A value whose YAML type or shape does not match the schema."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def mismatch(annotation: Any, value: Any) -> SpecValueError:
    """``expected <type>, got <value>``."""
    return SpecValueError(f"expected {describe_type(annotation)}, got {yaml_repr(value)}")


def _structure_int(value: Any, _: Any) -> int:
    if not is_int(value):
        raise mismatch(int, value)
    return int(value)


def _structure_float(value: Any, _: Any) -> float:
    if not is_number(value):
        raise mismatch(float, value)
    return float(value)


def _structure_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise mismatch(str, value)
    return str(value)


def _structure_bool(value: Any, _: Any) -> bool:
    if not is_bool(value):
        raise mismatch(bool, value)
    return bool(value)


def _structure_path(value: Any, _: Any) -> Path:
    if not isinstance(value, str):
        raise mismatch(str, value)
    return Path(value)


def _structure_precision(value: Any, _: Any) -> PrecisionSetting:
    """Lightning's spellings (``32``, ``'16'``, ``bf16``, …) normalised, anything else rejected."""
    try:
        return normalise_precision(to_plain(value))
    except ValueError as error:
        raise SpecValueError(str(error)) from None


def _is_precision(annotation: Any) -> bool:
    return _is_literal(annotation) and annotation == PrecisionSetting


def _same_kind(value: Any, choice: Any) -> bool:
    if is_bool(choice) or is_bool(value):
        return is_bool(choice) and is_bool(value)
    return type(choice) is type(to_plain(value))


def _literal_hook(annotation: Any) -> Hook:
    choices = get_args(annotation)

    def structure(value: Any, _: Any) -> Any:
        for choice in choices:
            if _same_kind(value, choice) and value == choice:
                return choice
        raise mismatch(annotation, value)

    return structure


def _structure_params(value: Any, _: Any) -> Any:
    """A component's ``params`` before its class is known: a mapping (``null`` means none)."""
    if value is None:
        return {}
    if attrs.has(type(value)):  # already structured (Python API)
        return value
    if not isinstance(value, Mapping):
        msg = f"expected a mapping, got {yaml_repr(value)}"
        raise SpecValueError(msg)
    return to_plain(value)


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _is_any(annotation: Any) -> bool:
    return annotation is Any


def _is_literal(annotation: Any) -> bool:
    return get_origin(annotation) is Literal


def _is_list(annotation: Any) -> bool:
    kinds = (*_LISTS, *_SETS)
    return annotation in kinds or get_origin(annotation) in kinds


def _is_tuple(annotation: Any) -> bool:
    return annotation is tuple or get_origin(annotation) is tuple


def _is_dict(annotation: Any) -> bool:
    return annotation in _DICTS or get_origin(annotation) in _DICTS


def _is_union(annotation: Any) -> bool:
    return len(union_members(annotation)) > 1


def _annotate(error: Exception, index: int | str, annotation: Any) -> Exception:
    note = IterableValidationNote(f"Structuring {annotation!r} @ {index!r}", index, annotation)
    error.add_note(note)
    return error


def make_converter() -> cattrs.Converter:
    """A strict converter: unknown keys rejected, every error collected with its path."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)

    def structure_items(value: Any, item_types: list[Any], annotation: Any) -> list[Any]:
        result, errors = [], []
        for index, (item, item_type) in enumerate(zip(value, item_types, strict=True)):
            try:
                result.append(converter.structure(item, item_type))
            except Exception as error:  # collected: every bad item is reported
                errors.append(_annotate(error, index, item_type))
        if errors:
            msg = f"While structuring {annotation!r}"
            raise IterableValidationError(msg, errors, annotation)
        return result

    def list_hook(annotation: Any) -> Hook:
        args = get_args(annotation)
        item_type = args[0] if args else Any
        container = set if get_origin(annotation) in (set, abc.MutableSet) else frozenset

        def structure(value: Any, _: Any) -> Any:
            if not is_list(value):
                raise mismatch(annotation, value)
            items = structure_items(value, [item_type] * len(value), annotation)
            if annotation in _SETS or get_origin(annotation) in _SETS:
                return container(items)
            return items

        return structure

    def tuple_hook(annotation: Any) -> Hook:
        args = get_args(annotation)
        variadic = not args or args[-1] is Ellipsis

        def structure(value: Any, _: Any) -> tuple[Any, ...]:
            if not is_list(value):
                raise mismatch(annotation, value)
            if not variadic and len(value) != len(args):
                msg = f"expected a list of {len(args)} items, got {_items(len(value))}"
                raise SpecValueError(msg)
            item_types = [args[0] if args else Any] * len(value) if variadic else list(args)
            return tuple(structure_items(value, item_types, annotation))

        return structure

    def dict_hook(annotation: Any) -> Hook:
        key_type, value_type = get_args(annotation) or (Any, Any)

        def structure(value: Any, _: Any) -> dict[Any, Any]:
            if not isinstance(value, Mapping):
                msg = f"expected a mapping, got {yaml_repr(value)}"
                raise SpecValueError(msg)
            result, errors = {}, []
            for key, item in value.items():
                try:
                    structured_key = converter.structure(key, key_type)
                    result[structured_key] = converter.structure(item, value_type)
                except Exception as error:  # collected: every bad entry is reported
                    errors.append(_annotate(error, to_plain(key), value_type))
            if errors:
                msg = f"While structuring {annotation!r}"
                raise IterableValidationError(msg, errors, annotation)
            return result

        return structure

    def union_hook(annotation: Any) -> Hook:
        members = union_members(annotation)
        others = [member for member in members if member is not type(None)]
        # An int is an int before it is a float, whatever the declaration order.
        others.sort(key=lambda member: member is not int)

        def structure(value: Any, _: Any) -> Any:
            if value is None and type(None) in members:
                return None
            if len(others) == 1 and value is not None:
                return converter.structure(value, others[0])
            for member in others:
                try:
                    return converter.structure(value, member)
                except Exception:  # try the next member; all failing is reported below
                    continue
            raise mismatch(annotation, value)

        return structure

    def attrs_hook(cls: type[Any]) -> Hook:
        attrs.resolve_types(cls)
        # A component's ``params`` is typed Any in the schema; it must still be a mapping.
        untyped_params = any(f.name == "params" and f.type is Any for f in attrs.fields(cls))
        if untyped_params:
            params = cattrs.override(struct_hook=_structure_params)
            base = make_dict_structure_fn(
                cls,
                converter,
                _cattrs_forbid_extra_keys=True,
                _cattrs_detailed_validation=True,
                params=params,
            )
        else:
            base = make_dict_structure_fn(
                cls, converter, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True
            )

        def structure(value: Any, _: Any) -> Any:
            if not isinstance(value, Mapping):
                msg = f"expected a mapping, got {yaml_repr(value)}"
                raise SpecValueError(msg)
            try:
                return base(value, cls)
            except ClassValidationError as error:
                rebuild = functools.partial(base, value, cls)
                raise every_validator_error(
                    cls, value, converter.structure, rebuild, error
                ) from None

        return structure

    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(Path, _structure_path)
    converter.register_structure_hook_func(_is_any, lambda value, _: to_plain(value))
    converter.register_structure_hook_factory(_is_literal, _literal_hook)
    converter.register_structure_hook_factory(_is_list, list_hook)
    converter.register_structure_hook_factory(_is_tuple, tuple_hook)
    converter.register_structure_hook_factory(_is_dict, dict_hook)
    converter.register_structure_hook_factory(_is_union, union_hook)
    converter.register_structure_hook_factory(attrs.has, attrs_hook)
    # after the generic Literal hook, so that it takes precedence for precisions
    converter.register_structure_hook_func(_is_precision, _structure_precision)
    return converter


CONVERTER = make_converter()
"""The converter every spec and component parameter class is structured with."""
