"""Values written as a user would type them in a YAML spec (defaults, choices), and as JSON data."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Set
from typing import Any

import attrs
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError


@functools.cache
def _reads_back(text: str) -> bool:
    """Whether ``text`` written without quotes is read back by YAML as the same string."""
    try:
        loaded = YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        return False
    return isinstance(loaded, str) and loaded == text


def yaml_value(value: Any) -> str:
    """``value`` in YAML flow style: ``null``, ``true``, ``0.0001``, ``.inf``, ``val/psnr``, ``"32"``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, str):
        plain = bool(value) and "\n" not in value and value.strip() == value and _reads_back(value)
        return value if plain else json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = ", ".join(f"{yaml_value(key)}: {yaml_value(item)}" for key, item in value.items())
        return "{" + items + "}"
    if isinstance(value, Set):
        return "[" + ", ".join(sorted(yaml_value(item) for item in value)) + "]"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_value(item) for item in value) + "]"
    if attrs.has(type(value)):
        return yaml_value(attrs.asdict(value, recurse=True, filter=_written))
    return str(value)


class NotJSONError(ValueError):
    """A value JSON cannot hold (a non-finite float, an arbitrary object)."""


def json_value(value: Any) -> Any:
    """``value`` as JSON data (tuples and sets as lists); raise :class:`NotJSONError` when impossible."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            msg = f"{value!r} has no JSON form"
            raise NotJSONError(msg)
        return value
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, Set):
        return sorted((json_value(item) for item in value), key=repr)
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if attrs.has(type(value)):
        return json_value(attrs.asdict(value, recurse=True, filter=_written))
    msg = f"{type(value).__name__} has no JSON form"
    raise NotJSONError(msg)


def _written(field: attrs.Attribute[Any], _: Any) -> bool:
    """Whether a field is written in a spec: ``init=False`` ones (a resolved ``entry``) are not."""
    return field.init
