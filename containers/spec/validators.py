"""Report every failing attrs validator of a class, not just the first one its ``__init__`` hits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
from cattrs.errors import AttributeValidationNote, ClassValidationError, ForbiddenExtraKeysError

from gan_engine.errors import InvalidParamError

Structure = Callable[[Any, Any], Any]


def every_validator_error(
    cls: type[Any],
    value: Mapping[str, Any],
    structure: Structure,
    build_unvalidated: Callable[[], Any],
    error: ClassValidationError,
) -> ClassValidationError:
    """``error`` extended with the failures of every field validator of ``cls``.

    attrs stops at the first failing validator, and runs none when another field failed to
    structure. When the constructor failed, ``build_unvalidated`` structures the input again with
    validators disabled (a process-wide switch, held only for that call, on the error path) and each
    validator then runs on the finished instance, so cross-field validators see their siblings. When
    other fields failed, the validators of the fields that did structure run on their own (those
    that need the instance are skipped).
    """
    failed = _failed_fields(error)
    if failed is None:
        found = _validate_instance(cls, build_unvalidated)
        return ClassValidationError(error.message, found, cls) if found else error
    found = _validate_fields(cls, value, structure, failed)
    return ClassValidationError(error.message, [*error.exceptions, *found], cls) if found else error


def _failed_fields(error: ClassValidationError) -> set[str] | None:
    """Names of the fields that failed to structure; ``None`` when the constructor itself failed."""
    failed: set[str] = set()
    constructor = True
    for cause in error.exceptions:
        notes = getattr(cause, "__notes__", [])
        names = {note.name for note in notes if isinstance(note, AttributeValidationNote)}
        if names or isinstance(cause, ForbiddenExtraKeysError):
            constructor = False
        failed |= names
    return None if constructor and len(error.exceptions) == 1 else failed


def _validate_instance(cls: type[Any], build_unvalidated: Callable[[], Any]) -> list[Exception]:
    try:
        with attrs.validators.disabled():
            instance = build_unvalidated()
    except Exception:  # not a validator failure (e.g. __attrs_post_init__): keep the original error
        return []
    found: list[Exception] = []
    for field in attrs.fields(cls):
        if field.validator is None:
            continue
        try:
            field.validator(instance, field, getattr(instance, field.name))
        except InvalidParamError as failure:
            found.append(failure)
        except (ValueError, TypeError) as failure:
            found.append(InvalidParamError(field.name, str(failure)))
    return found


def _validate_fields(
    cls: type[Any], value: Mapping[str, Any], structure: Structure, failed: set[str]
) -> list[Exception]:
    found: list[Exception] = []
    for field in attrs.fields(cls):
        if field.validator is None or field.name in failed or field.name not in value:
            continue
        try:
            converted = structure(value[field.name], field.type)
        except Exception:  # reported by the structuring pass already
            continue
        try:
            field.validator(None, field, converted)
        except InvalidParamError as failure:
            found.append(failure)
        except ValueError as failure:
            found.append(InvalidParamError(field.name, str(failure)))
        except Exception:  # a validator that needs the instance cannot run alone
            continue
    return found
