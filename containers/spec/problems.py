"""Spec problems: path-based issues found while validating, and the positioned ones users see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

import attrs

from gan_engine.errors import GanEngineError

KeyPath: TypeAlias = tuple[str | int, ...]
"""A key in the spec tree: section and key names, with list indices as numbers."""

_MISSING: Any = object()


def dotted(path: KeyPath) -> str:
    """``('Losses', 1, 'weight')`` → ``'Losses.1.weight'``."""
    return ".".join(str(part) for part in path)


def split_key(key: str) -> KeyPath:
    """``'betas.0'`` → ``('betas', 0)``: the inverse of :func:`dotted` for keys without dots."""
    return tuple(int(part) if part.isdigit() else part for part in key.split(".") if part)


def get_path(tree: Any, path: KeyPath, default: Any = None) -> Any:
    """The value at ``path`` in plain or ruamel data, or ``default`` when any step is missing."""
    node = tree
    for part in path:
        if isinstance(node, Mapping):
            node = node.get(part, _MISSING)
        elif isinstance(node, Sequence) and not isinstance(node, str) and isinstance(part, int):
            node = node[part] if 0 <= part < len(node) else _MISSING
        else:
            return default
        if node is _MISSING:
            return default
    return node


@attrs.frozen
class Issue:
    """A problem found at a key path, before it is given a file position.

    Attributes:
        path: the key the message is about (shown to the user).
        message: what was expected and what was found.
        where: the key whose YAML position to report (defaults to ``path``).
        anchor: report the position of the key itself or of its value.
    """

    path: KeyPath
    message: str
    where: KeyPath | None = None
    anchor: Literal["key", "value"] = "value"


@attrs.frozen
class SpecProblem:
    """One problem in a spec, positioned for display (1-based line and column).

    ``str()`` gives ``specs/x.yaml:12:5: Generator.params.n_blocks: expected int, got '16x'``; the
    position is left out when unknown and the key when the problem concerns the whole document.
    """

    source: str
    line: int | None
    column: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class SpecError(GanEngineError):
    """Every problem of a spec at once, sorted by position; its text is one problem per line.

    Problems without a line (overrides, missing top-level sections) come after the positioned ones.
    """

    def __init__(self, problems: Iterable[SpecProblem]) -> None:
        unique = list(dict.fromkeys(problems))
        self.problems: list[SpecProblem] = sorted(unique, key=_position_order)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _position_order(problem: SpecProblem) -> tuple[bool, int, int]:
    return (problem.line is None, problem.line or 0, problem.column or 0)


def document_problem(source: str, message: str) -> SpecError:
    """A :class:`SpecError` with one problem about the whole document or file."""
    return SpecError([SpecProblem(source, None, None, "", message)])
