"""Turn path-based issues into positioned problems using ruamel's line/column records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from containers.spec.problems import Issue, KeyPath, SpecProblem, dotted

Position = tuple[int, int]


@attrs.frozen
class Locator:
    """Positions issues in one loaded document.

    Attributes:
        source: the file name shown in messages.
        tree: the loaded document (ruamel round-trip data keeps 0-based ``.lc`` positions; plain
            data has none, so its problems are unpositioned).
        origins: keys set by ``--set`` overrides, with the override text used as the source of any
            problem at or below them.
    """

    source: str
    tree: Any
    origins: Mapping[KeyPath, str] = attrs.field(factory=dict)

    def locate(self, issue: Issue) -> SpecProblem:
        """Position one issue: its ``--set`` source, or its line and column in the file."""
        where = issue.path if issue.where is None else issue.where
        key = dotted(issue.path)
        for size in range(len(where), 0, -1):
            origin = self.origins.get(where[:size])
            if origin is not None:
                return SpecProblem(origin, None, None, key, issue.message)
        position = self._position(where, issue.anchor == "key")
        line, column = (None, None) if position is None else position
        return SpecProblem(self.source, line, column, key, issue.message)

    def _position(self, where: KeyPath, of_key: bool) -> Position | None:
        """1-based position of a key or value, else the key of its deepest existing ancestor."""
        node = self.tree
        best: Position | None = None
        for index, part in enumerate(where):
            step = _step(node, part)
            if step is None:
                return best
            child, key_position, value_position = step
            if index == len(where) - 1:
                found = key_position if of_key else value_position
                return found or key_position or best
            best = key_position or best
            node = child
        return best


def _step(node: Any, part: str | int) -> tuple[Any, Position | None, Position | None] | None:
    """The child at ``part`` with the positions of its key and value (``None`` when unrecorded)."""
    records = getattr(getattr(node, "lc", None), "data", None)
    if isinstance(node, Mapping):
        if part not in node:
            return None
        record = records.get(part) if isinstance(records, dict) else None
        if record is None:
            return node[part], None, None
        return node[part], (record[0] + 1, record[1] + 1), (record[2] + 1, record[3] + 1)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        record = records.get(part) if isinstance(records, dict) else None
        position = None if record is None else (record[0] + 1, record[1] + 1)
        return node[part], position, position
    return None
