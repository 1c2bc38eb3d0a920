"""The ``Trainer`` section: keyword arguments of ``lightning.pytorch.Trainer``, checked early.

Names are checked against the Trainer's signature; values against each parameter's annotation, as
strictly as the schema (a bool is no int). Annotation members YAML cannot produce (``Accelerator``,
``timedelta``, …) are ignored; a parameter with none YAML can produce accepts any plain value.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import typing
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

from containers.spec.problems import Issue, KeyPath
from containers.spec.values import (
    describe_type,
    is_bool,
    is_int,
    is_list,
    is_number,
    union_members,
    yaml_repr,
)

_CLIPPING = (
    "not available with the GAN module's manual optimisation: use Training.gradient_clip "
    "(per network, unscaled first under mixed precision)"
)
_NO_ACCUMULATION = (
    "not available with the GAN module's manual optimisation: use Training.accumulate_batches"
)
RESERVED: dict[str, str] = {
    "logger": "set by the engine: use Logging.logger",
    "callbacks": "set by the engine: use the Callbacks section",
    "precision": "set by the engine: use Training.precision",
    "default_root_dir": "set by the engine: use Logging.run_root",
    "enable_checkpointing": "set by the engine: use Callbacks.checkpoint",
    "gradient_clip_val": _CLIPPING,
    "gradient_clip_algorithm": _CLIPPING,
    "accumulate_grad_batches": _NO_ACCUMULATION,
}
"""Trainer arguments the engine owns, with where the setting belongs instead."""

_SCALARS: tuple[Any, ...] = (int, float, bool, str, type(None), Any)


@functools.cache
def trainer_parameters() -> dict[str, Any]:
    """Keyword parameters of ``lightning.pytorch.Trainer`` with their (evaluated) annotations."""
    import lightning.pytorch  # heavy: imported only when a spec is checked

    init = lightning.pytorch.Trainer.__init__
    try:
        hints = typing.get_type_hints(init)
    except Exception:  # an unresolvable annotation: check names only
        hints = {}
    return {
        name: hints.get(name, Any)
        for name, parameter in inspect.signature(init).parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    }


def check_trainer_args(section: Any, path: KeyPath = ("Trainer",)) -> list[Issue]:
    """Every problem in the ``Trainer`` mapping (a non-mapping is the schema pass's to report)."""
    if not isinstance(section, Mapping):
        return []
    parameters = trainer_parameters()
    issues: list[Issue] = []
    for key, value in section.items():
        if not isinstance(key, str):
            continue  # the schema pass reports keys that are not strings
        if key in RESERVED:
            issues.append(Issue((*path, key), RESERVED[key], anchor="key"))
        elif key not in parameters:
            issues.append(Issue(path, _unknown(key, sorted(parameters)), (*path, key), "key"))
        else:
            expected = _expected(parameters[key], value)
            if expected is not None:
                issues.append(Issue((*path, key), f"expected {expected}, got {yaml_repr(value)}"))
    return issues


def _unknown(key: str, names: list[str]) -> str:
    close = difflib.get_close_matches(key, names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown key '{key}': not an argument of lightning.pytorch.Trainer{hint}"


def _expected(annotation: Any, value: Any) -> str | None:
    """What ``value`` should have been, or ``None`` when the annotation accepts it."""
    members = union_members(annotation)
    usable = [member for member in members if _representable(member)]
    if not [member for member in usable if member is not type(None)] and len(usable) < len(members):
        return None  # nothing but objects YAML cannot build: accept any plain value
    if any(_accepts(member, value) for member in usable):
        return None
    return describe_type(typing.Union[tuple(usable)])  # noqa: UP007 - built from a runtime tuple


def _representable(annotation: Any) -> bool:
    """Whether YAML can produce a value of this annotation."""
    if annotation in _SCALARS or annotation in (list, dict):
        return True
    origin = get_origin(annotation)
    if origin is Literal:
        return True
    if origin in (list, tuple, dict):
        return all(_representable(arg) for arg in get_args(annotation) if arg is not Ellipsis)
    return len(union_members(annotation)) > 1 and all(
        _representable(member) for member in union_members(annotation)
    )


def _accepts(annotation: Any, value: Any) -> bool:
    checks: dict[Any, bool] = {
        Any: True,
        type(None): value is None,
        bool: is_bool(value),
        int: is_int(value),
        float: is_number(value),
        str: isinstance(value, str),
    }
    if annotation in checks:
        return checks[annotation]
    members = union_members(annotation)
    if len(members) > 1:
        return any(_accepts(member, value) for member in members)
    origin = get_origin(annotation) or annotation
    args = get_args(annotation)
    if origin is Literal:
        return any(is_bool(value) == is_bool(arg) and value == arg for arg in args)
    if origin in (list, tuple):
        item = args[0] if args else Any
        return is_list(value) and all(_accepts(item, element) for element in value)
    if origin is dict:
        key_type, value_type = args or (Any, Any)
        return isinstance(value, Mapping) and all(
            _accepts(key_type, k) and _accepts(value_type, v) for k, v in value.items()
        )
    return False
