"""A third party's metric, announced through the ``gan_engine.metrics`` entry-point group in a test."""

from __future__ import annotations

import attrs
from torch import Tensor, nn

from gan_engine.metrics.streams import PerSampleMetric
from gan_engine.registry import register_metric


@attrs.frozen
class MeanAbsoluteParams:
    """No parameters but the band selection."""

    bands: list[int] | None = None


@register_metric("mean_absolute", params=MeanAbsoluteParams)
class MeanAbsolute(PerSampleMetric):
    """Mean absolute difference of the RGB views, in [0, 1]."""

    def __init__(self, spatial_dims: int, channels: int, params: MeanAbsoluteParams) -> None:
        super().__init__(nn.Identity(), params.bands)

    def _distance(self, prediction: Tensor, target: Tensor) -> Tensor:
        return (prediction - target).abs().flatten(1).mean(dim=1)
