"""Fitted per-channel normalisers: ``minmax_fitted``, ``zscore`` and ``percentile``.

Each computes its statistics by streaming over a re-iterable collection of samples (see
:mod:`gan_engine.normalisers.fitted`), per branch and per channel, ignoring masked (nodata) and
non-finite pixels:

- ``minmax_fitted`` — exact minimum and maximum (one pass), mapped onto ``[0, 1]`` or ``[-1, 1]``;
  no clipping, so ``denormalise`` inverts ``normalise`` everywhere.
- ``zscore`` — mean and population standard deviation (one pass, float64, Chan's parallel update:
  equal to a one-shot float64 computation to rounding); ``(x - mean) / std``, inverted everywhere.
- ``percentile`` — low and high percentiles (two passes: range, then a fixed-bin histogram; error at
  most one bin width ``(max - min) / bins`` plus the gap to the next order statistic). ``normalise``
  clips to ``[p_low, p_high]`` and stretches it onto the target; ``denormalise`` is the exact inverse
  of the stretch, so values inside ``[p_low, p_high]`` round-trip exactly and values outside come
  back as the nearest bound (the clipped part is lost; network outputs beyond the target range map
  linearly beyond the bounds).

A channel with zero spread (constant) gets a scale of 1, so it maps to a constant and still inverts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import torch

from gan_engine.errors import InvalidParamError
from gan_engine.normalisers.base import BRANCHES, Target, one_of_targets, target_bounds
from gan_engine.normalisers.fitted import FittedAffine, Statistics, one_of_statistics
from gan_engine.normalisers.passes import histogram_pass, moments_pass, range_pass
from gan_engine.params import in_range
from gan_engine.registry import register_normaliser
from gan_engine.types import Sample


def _span_map(
    low: torch.Tensor, high: torch.Tensor, target: Target
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(shift, scale)`` mapping ``[low, high]`` onto the target interval."""
    lo, hi = target_bounds(target)
    scale = (high - low) / (hi - lo)
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    return low - lo * scale, scale


@attrs.frozen(kw_only=True)
class FittedMinMaxParams:
    """Parameters of ``minmax_fitted``.

    Attributes:
        target: ``"zero_one"`` for ``[0, 1]`` or ``"minus_one_one"`` for ``[-1, 1]``.
        statistics: ``"hr"`` normalises both branches with HR's range; ``"per_branch"`` each with its own.
    """

    target: Target = attrs.field(default="minus_one_one", validator=one_of_targets)
    statistics: Statistics = attrs.field(default="hr", validator=one_of_statistics)


@register_normaliser("minmax_fitted", params=FittedMinMaxParams)
class FittedMinMaxNormaliser(FittedAffine):
    """Maps each channel's fitted ``[min, max]`` onto ``[0, 1]`` or ``[-1, 1]`` (no clipping)."""

    def __init__(self, channels: int, params: FittedMinMaxParams | None = None) -> None:
        self.params = params or FittedMinMaxParams()
        super().__init__(channels, self.params.statistics)

    def _fit(self, samples: Iterable[Sample]) -> None:
        ranges = range_pass(samples, self.channels, type(self).__name__)
        for branch in BRANCHES:
            shift, scale = _span_map(ranges[branch].low, ranges[branch].high, self.params.target)
            self.set_row(branch, shift, scale)


@attrs.frozen(kw_only=True)
class ZScoreParams:
    """Parameters of ``zscore``.

    Attributes:
        statistics: ``"hr"`` normalises both branches with HR's mean and std; ``"per_branch"`` each
            with its own.
    """

    statistics: Statistics = attrs.field(default="hr", validator=one_of_statistics)


@register_normaliser("zscore", params=ZScoreParams)
class ZScoreNormaliser(FittedAffine):
    """``(x - mean) / std`` per channel with fitted mean and population standard deviation."""

    def __init__(self, channels: int, params: ZScoreParams | None = None) -> None:
        self.params = params or ZScoreParams()
        super().__init__(channels, self.params.statistics)

    def _fit(self, samples: Iterable[Sample]) -> None:
        moments = moments_pass(samples, self.channels, type(self).__name__)
        for branch in BRANCHES:
            self.set_row(branch, moments[branch].mean, moments[branch].std())


def _below_high(instance: PercentileParams, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value < instance.high:
        msg = f"must be < high ({instance.high}), got {value}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class PercentileParams:
    """Parameters of ``percentile`` (clip to fitted percentiles, then stretch).

    Attributes:
        low: lower percentile in ``[0, 100)``, below ``high``.
        high: upper percentile in ``(0, 100]``.
        target: ``"zero_one"`` for ``[0, 1]`` or ``"minus_one_one"`` for ``[-1, 1]``.
        bins: histogram bins per channel; the percentiles are accurate to about
            ``(max - min) / bins`` sensor units.
        statistics: ``"hr"`` normalises both branches with HR's percentiles; ``"per_branch"`` each with
            its own.
    """

    low: float = attrs.field(
        default=2.0, validator=[in_range(0.0, 100.0, high_open=True), _below_high]
    )
    high: float = attrs.field(default=98.0, validator=in_range(0.0, 100.0, low_open=True))
    target: Target = attrs.field(default="minus_one_one", validator=one_of_targets)
    bins: int = attrs.field(default=4096, validator=in_range(16, 1_048_576))
    statistics: Statistics = attrs.field(default="hr", validator=one_of_statistics)


@register_normaliser("percentile", params=PercentileParams)
class PercentileNormaliser(FittedAffine):
    """Clips each channel to its fitted ``[p_low, p_high]`` and stretches that onto the target.

    ``denormalise`` inverts exactly on ``[p_low, p_high]`` (see :meth:`valid_range`).
    """

    def __init__(self, channels: int, params: PercentileParams | None = None) -> None:
        self.params = params or PercentileParams()
        super().__init__(channels, self.params.statistics)

    def _fit(self, samples: Iterable[Sample]) -> None:
        who = type(self).__name__
        p = self.params
        ranges = range_pass(samples, self.channels, who)
        histograms = histogram_pass(samples, self.channels, ranges, p.bins, who)
        probabilities = torch.tensor([p.low / 100.0, p.high / 100.0], dtype=torch.float64)
        for branch in BRANCHES:
            bounds = histograms[branch].quantiles(probabilities)
            low, high = bounds[:, 0], bounds[:, 1]
            shift, scale = _span_map(low, high, p.target)
            self.set_row(branch, shift, scale, bounds=(low, high))
