"""Load a run spec strictly: YAML 1.2 → overrides → schema → components, every problem at once.

User mistakes never raise a traceback: they are collected as positioned problems and raised together
as one :class:`~containers.spec.problems.SpecError`.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
from cattrs.errors import BaseValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from containers.spec.components import check_components
from containers.spec.converter import CONVERTER, SpecValueError
from containers.spec.model import ModelDataSpec, ModelSpec, model_tree
from containers.spec.overrides import apply_overrides, parse_overrides
from containers.spec.positions import Locator
from containers.spec.problems import KeyPath, SpecError, SpecProblem, document_problem
from containers.spec.schema import DataSpec, Spec
from containers.spec.sites import attach_entry
from containers.spec.structure_errors import issues_from_error
from containers.spec.trainer_args import check_trainer_args
from containers.spec.values import yaml_repr
from gan_engine.registry import REGISTRIES, Registry

_SECTIONS = ", ".join(field.name for field in attrs.fields(Spec))
_Validated = TypeVar("_Validated", Spec, ModelSpec)


def load_spec(
    path: str | Path,
    overrides: Sequence[str] = (),
    *,
    registries: Mapping[str, Registry[Any]] = REGISTRIES,
) -> Spec:
    """Load and validate the spec at ``path`` with ``--set`` style overrides applied."""
    source = str(path)
    file = Path(path)
    if file.is_dir():
        raise document_problem(source, "is a directory, expected a YAML spec file")
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        where = "" if file.is_absolute() else f" (looked in {Path.cwd()})"
        raise document_problem(source, f"spec file not found{where}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise document_problem(source, f"cannot read the spec: {error}") from None
    return load_spec_text(text, source, overrides, registries=registries)


def load_spec_text(
    text: str,
    source: str,
    overrides: Sequence[str] = (),
    *,
    registries: Mapping[str, Registry[Any]] = REGISTRIES,
) -> Spec:
    """Load and validate a spec from YAML text; ``source`` names it in messages."""
    parsed, problems = parse_overrides(overrides)
    try:
        tree = YAML(typ="rt").load(text)
    except YAMLError as error:
        raise SpecError([*problems, _syntax_problem(error, source)]) from None
    if not isinstance(tree, MutableMapping):
        raise SpecError([*problems, _top_level_problem(tree, source)])
    origins, failed = apply_overrides(tree, parsed)
    try:
        locator = Locator(source, tree, origins)
        return _validate(tree, locator, registries, [*problems, *failed], Spec)
    except SpecError as error:
        # Unpositioned problems of overrides follow the order of the command line.
        order = {f"--set {item}": index for index, item in enumerate(overrides)}
        ranked = sorted(error.problems, key=lambda problem: order.get(problem.source, -1))
        raise SpecError(ranked) from None


def spec_from_dict(
    data: Mapping[str, Any],
    source: str = "<dict>",
    *,
    registries: Mapping[str, Registry[Any]] = REGISTRIES,
) -> Spec:
    """Validate a spec given as plain data (a checkpoint's resolved spec, the Python API)."""
    if not isinstance(data, Mapping):
        raise SpecError([_top_level_problem(data, source)])
    return _validate(data, Locator(source, data), registries, [], Spec)


def model_spec_from_dict(
    data: Mapping[str, Any],
    source: str = "<dict>",
    *,
    registries: Mapping[str, Registry[Any]] = REGISTRIES,
) -> ModelSpec:
    """Validate only what rebuilding the model needs (see :mod:`containers.spec.model`).

    Prediction and export use it on a checkpoint's resolved spec, so that a checkpoint works where the
    training data, pretrained files and hook modules are absent. ``Generator.pretrained`` is not
    kept: the checkpoint holds the trained weights.
    """
    if not isinstance(data, Mapping):
        raise SpecError([_top_level_problem(data, source)])
    tree = model_tree(data)
    return _validate(tree, Locator(source, tree), registries, [], ModelSpec)


def _validate(
    tree: Mapping[str, Any],
    locator: Locator,
    registries: Mapping[str, Registry[Any]],
    problems: list[SpecProblem],
    target: type[_Validated],
) -> _Validated:
    """Run the schema, component and Trainer passes and raise everything they found together."""
    spec: _Validated | None = None
    issues = []
    try:
        spec = CONVERTER.structure(tree, target)
    except (BaseValidationError, SpecValueError) as error:
        issues += issues_from_error(error)
    data_cls = ModelDataSpec if target is ModelSpec else DataSpec
    components = check_components(tree, registries, data_cls=data_cls)
    issues += components.issues
    issues += check_trainer_args(tree.get("Trainer"))
    problems = problems + [locator.locate(issue) for issue in issues]
    if problems or spec is None:
        raise SpecError(problems)
    for path, params in components.params.items():
        spec = _replace(spec, path, params)
    for path, entry in components.entries.items():
        section = _section(spec, path)
        if attrs.has(type(section)) and "entry" in attrs.fields_dict(type(section)):
            attach_entry(section, entry)
    return spec


def _section(node: Any, path: KeyPath) -> Any:
    """The value at ``path`` in a structured spec (attrs instances and lists)."""
    for part in path:
        node = node[part] if isinstance(part, int) else getattr(node, part)
    return node


def _replace(node: Any, path: KeyPath, value: Any) -> Any:
    """A copy of ``node`` (attrs instances and lists) with the value at ``path`` replaced."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, list) and isinstance(head, int):
        return [_replace(item, rest, value) if i == head else item for i, item in enumerate(node)]
    return attrs.evolve(node, **{str(head): _replace(getattr(node, str(head)), rest, value)})


def _syntax_problem(error: YAMLError, source: str) -> SpecProblem:
    if not isinstance(error, MarkedYAMLError):
        return SpecProblem(source, None, None, "", f"invalid YAML: {error}")
    mark = error.problem_mark or error.context_mark
    line, column = (None, None) if mark is None else (mark.line + 1, mark.column + 1)
    message = str(error.problem or error.context or "invalid YAML")
    context = error.context_mark
    if error.context and context is not None and not isinstance(error, DuplicateKeyError):
        message += f" ({error.context} at {context.line + 1}:{context.column + 1})"
    return SpecProblem(source, line, column, "", message)


def _top_level_problem(tree: Any, source: str) -> SpecProblem:
    if tree is None:
        message = f"the spec is empty; expected sections {_SECTIONS}"
        return SpecProblem(source, None, None, "", message)
    record = getattr(tree, "lc", None)
    line, column = (None, None) if record is None else (record.line + 1, record.col + 1)
    message = f"expected a mapping of sections ({_SECTIONS}), got {yaml_repr(tree)}"
    return SpecProblem(source, line, column, "", message)
