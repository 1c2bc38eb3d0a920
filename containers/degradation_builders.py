"""Build the batch degradation pipeline of ``Data.params.degradation`` when it is a stage list."""

from __future__ import annotations

from containers.spec.schema import Spec
from containers.spec.sites import resolved_entry
from gan_engine.degradation_spec import pipeline_stages
from gan_engine.degradations.pipeline import StagePipeline
from gan_engine.protocols import DatasetSelector, DegradationPipeline
from gan_engine.registry import DEGRADATIONS


def build_degradation(spec: Spec, selector: DatasetSelector) -> DegradationPipeline | None:
    """The pipeline of the spec's stage list (``None`` for a simple mode or a dataset without one).

    Values are scaled by the selector's ``data_range`` into ``[0, 1]`` for the stages and back.
    """
    value = getattr(spec.Data.params, "degradation", None)
    stages = None if value is None else pipeline_stages(value)
    if stages is None:
        return None
    data = spec.Data
    built = [
        (
            resolved_entry(stage, f"Data.params.degradation.{index}", DEGRADATIONS).factory(
                data.spatial_dims, data.channels, stage.params
            ),
            stage.p,
        )
        for index, stage in enumerate(stages)
    ]
    return StagePipeline(built, scale=data.scale, data_range=selector.data_range)
