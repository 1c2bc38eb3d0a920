"""``Validation.metrics``: the names the metrics are logged under must be unique."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from containers.spec.problems import Issue
from containers.spec.values import is_list


def metric_label_issues(tree: Mapping[str, Any]) -> list[Issue]:
    """One issue per metric whose ``label`` (else ``name``) an earlier metric already uses."""
    validation = tree.get("Validation")
    metrics = validation.get("metrics") if isinstance(validation, Mapping) else None
    if not is_list(metrics):
        return []
    issues = []
    seen: dict[str, int] = {}
    for index, metric in enumerate(metrics):
        if not isinstance(metric, Mapping):
            continue  # the schema pass reports it
        label = metric.get("label", metric.get("name"))
        if not isinstance(label, str):
            continue
        if label in seen:
            key = "label" if "label" in metric else "name"
            message = (
                f"metric logged as 'val/{label}' twice (also Validation.metrics.{seen[label]}); "
                f"give one of them another label"
            )
            issues.append(Issue(("Validation", "metrics", index, key), message))
        else:
            seen[label] = index
    return issues
