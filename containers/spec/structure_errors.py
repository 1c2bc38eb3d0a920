"""Flatten cattrs' nested exception groups into issues with the dotted path of each failing key."""

from __future__ import annotations

import difflib
from typing import Any

import attrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from containers.spec.converter import SpecValueError
from containers.spec.problems import Issue, KeyPath, split_key
from gan_engine.errors import InvalidParamError


def unknown_key_message(key: object, allowed: list[str]) -> str:
    """``unknown key 'n_blcks'; did you mean 'n_blocks'?``, else the allowed keys."""
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        return f"unknown key '{key}'; did you mean '{close[0]}'?"
    if not allowed:
        return f"unknown key '{key}'; no keys are allowed here"
    return f"unknown key '{key}'; allowed keys: {', '.join(allowed)}"


def issues_from_error(error: BaseException, path: KeyPath = ()) -> list[Issue]:
    """Every problem inside ``error`` (raised while structuring the value at ``path``)."""
    if isinstance(error, ClassValidationError):
        return _class_issues(error, path)
    if isinstance(error, IterableValidationError):
        issues: list[Issue] = []
        for sub in error.exceptions:
            note = _last_note(sub, IterableValidationNote)
            sub_path = path if note is None else (*path, _key_part(note.index))
            issues += issues_from_error(sub, sub_path)
        return issues
    if isinstance(error, BaseValidationError):  # another group: no path information to add
        return [issue for sub in error.exceptions for issue in issues_from_error(sub, path)]
    if isinstance(error, ForbiddenExtraKeysError):
        return _unknown_key_issues(error, path)
    if isinstance(error, InvalidParamError):
        return [Issue((*path, *split_key(error.key)), error.message)]
    if isinstance(error, SpecValueError):
        return [Issue(path, error.message)]
    return [Issue(path, str(error) or type(error).__name__)]


def _class_issues(error: ClassValidationError, path: KeyPath) -> list[Issue]:
    issues: list[Issue] = []
    for sub in error.exceptions:
        note = _last_note(sub, AttributeValidationNote)
        if note is None:
            issues += issues_from_error(sub, path)
        elif isinstance(sub, KeyError) and sub.args == (note.name,):
            # cattrs reads a required key with o[name]: a bare KeyError means the key is absent.
            issues.append(Issue(path, f"missing required key '{note.name}'", anchor="key"))
        else:
            issues += issues_from_error(sub, (*path, note.name))
    return issues


def _unknown_key_issues(error: ForbiddenExtraKeysError, path: KeyPath) -> list[Issue]:
    fields = attrs.fields(error.cl) if attrs.has(error.cl) else ()
    allowed = [field.name for field in fields if field.init]  # never the loader's own `entry`
    return [
        Issue(path, unknown_key_message(key, allowed), where=(*path, _key_part(key)), anchor="key")
        for key in sorted(error.extra_fields, key=str)
    ]


def _key_part(key: Any) -> str | int:
    return key if isinstance(key, str | int) else str(key)


def _last_note(error: BaseException, kind: type[Any]) -> Any:
    notes = [note for note in getattr(error, "__notes__", []) if isinstance(note, kind)]
    return notes[-1] if notes else None
