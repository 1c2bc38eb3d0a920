"""Validate a ``Data.params.degradation`` stage list: names, probabilities, parameters, order, pool size.

A stage is ``{name: <registered degradation>, p: <probability>, params: {...}}``. Each stage's params are
structured into its own class (with its run checks); stages acting on the whole batch (resizes, the
Real-ESRGAN preset, the pool) must keep ``p: 1``; ``pool`` must come last, once, with a
``queue_size`` that is a multiple of ``Data.batch_size``. A simple mode (a string) is the dataset's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from containers.spec.problems import Issue, KeyPath, get_path
from containers.spec.sites import COMPONENT_SITES, attach_entry
from containers.spec.values import is_bool, is_list, yaml_repr
from gan_engine.degradation_spec import DegradationStageSpec
from gan_engine.errors import ComponentNotFoundError
from gan_engine.registry import Entry, Registry
from gan_engine.types import BuildContext

STAGES_PATH: KeyPath = next(site.path for site in COMPONENT_SITES if site.stages)[:-1]
"""Where the stage list is: its site in :data:`~containers.spec.sites.COMPONENT_SITES`, less ``[i]``."""
_KEYS = ("name", "p", "params")

Structurer = Callable[[Entry[Any], Any, KeyPath, BuildContext | None, list[Issue]], Any]


@attrs.frozen
class StageReport:
    """Problems of the stage list, and the structured stages when there were none."""

    issues: list[Issue]
    stages: tuple[DegradationStageSpec, ...] | None


def _as_mapping(item: Any) -> Mapping[str, Any] | None:
    if isinstance(item, DegradationStageSpec):
        return {"name": item.name, "p": item.p, "params": item.params}
    return item if isinstance(item, Mapping) else None


def _probability(value: Any, path: KeyPath, issues: list[Issue]) -> float | None:
    if is_bool(value) or not isinstance(value, int | float):
        issues.append(
            Issue(path, f"expected a probability (a number in [0, 1]), got {yaml_repr(value)}")
        )
        return None
    if not 0.0 <= float(value) <= 1.0:
        issues.append(Issue(path, f"a probability must be in [0, 1], got {value}"))
        return None
    return float(value)


def check_stages(
    tree: Mapping[str, Any],
    registry: Registry[Any] | None,
    context: BuildContext | None,
    batch_size: int | None,
    structure: Structurer,
) -> StageReport:
    """Check the stage list at ``Data.params.degradation`` (nothing to do for a simple mode)."""
    raw = get_path(tree, STAGES_PATH)
    if not is_list(raw) or registry is None:
        return StageReport([], None)
    issues: list[Issue] = []
    if not raw:
        return StageReport([], None)  # the dataset's own validator reports an empty list
    stages: list[DegradationStageSpec] = []
    for index, item in enumerate(raw):
        path = (*STAGES_PATH, index)
        stage = _check_stage(item, path, registry, context, structure, issues)
        if stage is not None:
            stages.append(stage)
            issues += _placement_issues(stage, registry, path, index, len(raw), batch_size)
    if issues or len(stages) != len(raw):
        return StageReport(issues, None)
    return StageReport([], tuple(stages))


def _check_stage(
    item: Any,
    path: KeyPath,
    registry: Registry[Any],
    context: BuildContext | None,
    structure: Structurer,
    issues: list[Issue],
) -> DegradationStageSpec | None:
    mapping = _as_mapping(item)
    if mapping is None:
        message = f"expected a stage {{name: ..., p: ..., params: {{...}}}}, got {yaml_repr(item)}"
        issues.append(Issue(path, message))
        return None
    before = len(issues)
    for key in mapping:
        if key not in _KEYS:
            message = f"unknown key {key!r} in a degradation stage; expected {', '.join(_KEYS)}"
            issues.append(Issue((*path, key), message, anchor="key"))
    name = mapping.get("name")
    if not isinstance(name, str):
        issues.append(Issue((*path, "name"), f"expected a stage name, got {yaml_repr(name)}"))
        return None
    try:
        entry = registry.get(name)
    except ComponentNotFoundError as error:
        issues.append(Issue((*path, "name"), str(error)))
        return None
    p = _probability(mapping.get("p", 1.0), (*path, "p"), issues)
    params = structure(entry, mapping.get("params") or {}, (*path, "params"), context, issues)
    if p is not None and p < 1.0 and getattr(entry.factory, "batch_level", False):
        message = (
            f"stage '{name}' acts on the whole batch, so p must be 1, got {p} "
            "(its own parameters set how often it changes anything)"
        )
        issues.append(Issue((*path, "p"), message))
    if params is None or p is None or len(issues) > before:
        return None
    stage = DegradationStageSpec(name=entry.name, p=p, params=params)
    attach_entry(stage, entry)
    return stage


def _placement_issues(
    stage: DegradationStageSpec,
    registry: Registry[Any],
    path: KeyPath,
    index: int,
    count: int,
    batch_size: int | None,
) -> list[Issue]:
    if stage.name != "pool":
        return []
    issues = []
    if index != count - 1:
        issues.append(Issue((*path, "name"), "the 'pool' stage must be the last stage"))
    queue_size = getattr(stage.params, "queue_size", None)
    if batch_size is not None and isinstance(queue_size, int) and queue_size % batch_size:
        message = f"must be a multiple of Data.batch_size ({batch_size}), got {queue_size}"
        issues.append(Issue((*path, "params", "queue_size"), message))
    return issues
