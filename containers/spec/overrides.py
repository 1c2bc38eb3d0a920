"""``--set Key.path=value`` overrides, applied to the loaded YAML tree before validation."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

import attrs
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from containers.spec.problems import KeyPath, SpecProblem, dotted
from containers.spec.values import to_plain, yaml_repr


@attrs.frozen
class Override:
    """One parsed override: the key path to set and the value (plain data parsed as YAML)."""

    text: str
    path: KeyPath
    value: Any

    @property
    def source(self) -> str:
        """How problems caused by this override are attributed: ``--set Key.path=value``."""
        return f"--set {self.text}"


def parse_overrides(texts: Sequence[str]) -> tuple[list[Override], list[SpecProblem]]:
    """Parse ``Key.path=value`` strings; the value is YAML (``100``, ``1e-4``, ``[0.9, 0.99]``)."""
    overrides: list[Override] = []
    problems: list[SpecProblem] = []
    for text in texts:
        parsed = _parse_one(text)
        if isinstance(parsed, SpecProblem):
            problems.append(parsed)
        else:
            overrides.append(parsed)
    return overrides, problems


def _parse_one(text: str) -> Override | SpecProblem:
    source = f"--set {text}"
    key, equals, value_text = text.partition("=")
    key = key.strip()
    if not equals:
        return SpecProblem(source, None, None, "", "expected Key.path=value, found no '='")
    if not key:
        return SpecProblem(source, None, None, "", "expected Key.path=value, found an empty key")
    parts = key.split(".")
    if any(not part for part in parts):
        return SpecProblem(source, None, None, key, "empty segment in the key path")
    try:
        value = to_plain(YAML(typ="rt").load(value_text))
    except MarkedYAMLError as error:
        return SpecProblem(source, None, None, key, f"value is not valid YAML: {error.problem}")
    except YAMLError as error:
        return SpecProblem(source, None, None, key, f"value is not valid YAML: {error}")
    path = tuple(int(part) if part.isdigit() else part for part in parts)
    return Override(text, path, value)


def apply_overrides(
    tree: MutableMapping[Any, Any], overrides: Sequence[Override]
) -> tuple[dict[KeyPath, str], list[SpecProblem]]:
    """Set each override in ``tree`` (in order), creating missing or null intermediate mappings.

    Returns the source of every key an override wrote or created (problems there are attributed to
    that ``--set``) and the overrides that could not be applied.
    """
    origins: dict[KeyPath, str] = {}
    problems: list[SpecProblem] = []
    for override in overrides:
        problem = _apply_one(tree, override, origins)
        if problem is not None:
            problems.append(problem)
    return origins, problems


def _apply_one(tree: Any, override: Override, origins: dict[KeyPath, str]) -> SpecProblem | None:
    node = tree
    created: list[KeyPath] = []
    for depth, part in enumerate(override.path):
        last = depth == len(override.path) - 1
        here = override.path[:depth]
        if isinstance(node, MutableMapping):
            key = str(part)
            if last:
                node[key] = override.value
                break
            if node.get(key) is None:
                node[key] = {}
                created.append((*here, part))
            node = node[key]
        elif isinstance(node, list):
            if not isinstance(part, int):
                message = f"is a list: expected an item index, got '{part}'"
                return SpecProblem(override.source, None, None, dotted(here), message)
            if part >= len(node):
                message = f"index {part} out of range: the list has {len(node)} items"
                return SpecProblem(override.source, None, None, dotted(here), message)
            if last:
                node[part] = override.value
                break
            node = node[part]
        else:
            rest = dotted(override.path[depth:])
            message = f"is {yaml_repr(node)}, not a mapping or a list: cannot set '{rest}' in it"
            return SpecProblem(override.source, None, None, dotted(here), message)
    for old in [path for path in origins if path[: len(override.path)] == override.path]:
        del origins[old]  # overwritten by this override
    for path in (*created, override.path):
        origins[path] = override.source
    return None
