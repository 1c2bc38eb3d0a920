"""Checks of what a spec refers to outside itself: weight files and importable callables."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from containers.spec.problems import Issue, get_path
from containers.spec.values import is_list, yaml_repr

_DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_CALLABLE_PATH = re.compile(rf"^(?P<module>{_DOTTED}):(?P<attr>{_DOTTED})$")


def check_pretrained(tree: Mapping[str, Any]) -> list[Issue]:
    """``Generator.pretrained`` must name an existing file (relative to the working directory)."""
    path = ("Generator", "pretrained")
    value = get_path(tree, path)
    if not isinstance(value, str):
        return []  # absent, null, or mistyped (the schema pass reports that)
    weights = Path(value)
    where = f" (resolved to {weights.resolve()})" if not weights.is_absolute() else ""
    if weights.is_dir():
        return [Issue(path, f"pretrained weights '{value}' is a directory, expected a file{where}")]
    if not weights.is_file():
        return [Issue(path, f"pretrained weights file not found: '{value}'{where}")]
    return []


def check_callables(tree: Mapping[str, Any]) -> list[Issue]:
    """``Callbacks.extra_validation`` items must be ``package.module:callable`` that import."""
    items = get_path(tree, ("Callbacks", "extra_validation"))
    if not is_list(items):
        return []
    issues = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            continue  # the schema pass reports it
        message = callable_problem(item)
        if message is not None:
            issues.append(Issue(("Callbacks", "extra_validation", index), message))
    return issues


def callable_problem(text: str) -> str | None:
    """Why ``package.module:callable`` is unusable; ``None`` when it imports and is callable."""
    match = _CALLABLE_PATH.match(text)
    if match is None:
        return f"expected 'package.module:callable', got {yaml_repr(text)}"
    module_name, attr = match["module"], match["attr"]
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as error:  # any import failure is the user's module's problem: report it
        return f"cannot import '{module_name}': {type(error).__name__}: {error}"
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            return f"module '{module_name}' has no attribute '{attr}'"
    if not callable(target):
        return f"'{text}' is not callable (it is {type(target).__name__})"
    return None
