"""Builds the spec's opt-in validation metrics (``Validation.metrics``) from the metric registry."""

from __future__ import annotations

from containers.spec.schema import Spec
from containers.spec.sites import resolved_entry
from gan_engine.protocols import ValidationMetric
from gan_engine.registry import METRICS


def build_metrics(spec: Spec) -> dict[str, ValidationMetric]:
    """Each metric of ``Validation.metrics`` by the name it is logged under (``label`` or name).

    Raises:
        WeightsNotFoundError: a metric's weight file is missing (the message names it).
    """
    return {
        metric.key: resolved_entry(metric, f"Validation.metrics[{index}]", METRICS).factory(
            spatial_dims=spec.Data.spatial_dims, channels=spec.Data.channels, params=metric.params
        )
        for index, metric in enumerate(spec.Validation.metrics)
    }
