"""``histogram``: LR values matched to HR's distribution through fitted quantile maps.

Design. Fitting streams twice over the samples (range, then fixed-bin histograms; see
:mod:`gan_engine.normalisers.streaming` for the accuracy) and stores, per channel, ``K`` quantile
knots of LR and of HR at the same probabilities ``0, 1/(K-1), …, 1`` (the end knots are the exact
minimum and maximum), plus HR's ``low``/``high`` percentiles.

- ``normalise(x, "hr")`` stretches HR's ``[p_low, p_high]`` linearly onto the target (no clipping).
- ``normalise(x, "lr")`` first maps LR values through the piecewise-linear LR→HR quantile map (LR's
  ``k``-th knot goes to HR's ``k``-th knot, so LR takes HR's distribution), then stretches like HR.
- Outside the knots the map continues with slope 1 (a shift), so it is a bijection of the whole line.

Meant for LR and HR from different sensors or processing chains. When LR is made from HR by
degradation its narrower distribution is the blur itself: matching would undo part of it, so prefer
a shared-statistics normaliser (``zscore``, ``percentile``) there.

Knots closer than one histogram bin (the estimator's resolution) on either side are merged into
their mean — ties come from repeated values such as integer levels — and the row is refilled to ``K``
knots on the same polyline (see :mod:`gan_engine.normalisers.quantile_maps`). The map is then
strictly increasing with bounded slopes, and ``denormalise`` — the inverse stretch, then the HR→LR
map through the same knots swapped — inverts ``normalise`` everywhere to float rounding (exact on
the whole line; nothing is clipped). Rounding is amplified by the ratio of neighbouring slopes, so
float32 round trips are accurate to about ``1e-5`` of the data range for smooth distributions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import torch
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.normalisers.base import Target, broadcastable, one_of_targets, target_bounds
from gan_engine.normalisers.fitted import FittedNormaliser
from gan_engine.normalisers.passes import histogram_pass, range_pass
from gan_engine.normalisers.quantile_maps import (
    matched_knots,
    piecewise_linear,
    strictly_increasing,
)
from gan_engine.params import in_range
from gan_engine.registry import register_normaliser
from gan_engine.types import Branch, Sample


def _below_high(instance: HistogramParams, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value < instance.high:
        msg = f"must be < high ({instance.high}), got {value}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class HistogramParams:
    """Parameters of ``histogram``.

    Attributes:
        quantiles: knots of each quantile map (including the minimum and maximum), at least 2.
        low: HR percentile mapped to the low end of the target, in ``[0, 100)``.
        high: HR percentile mapped to the high end, in ``(0, 100]`` and above ``low``.
        target: ``"zero_one"`` or ``"minus_one_one"`` (values beyond the percentiles fall outside).
        bins: histogram bins per channel used to estimate the quantiles.
    """

    quantiles: int = attrs.field(default=256, validator=in_range(2, 65_536))
    low: float = attrs.field(
        default=2.0, validator=[in_range(0.0, 100.0, high_open=True), _below_high]
    )
    high: float = attrs.field(default=98.0, validator=in_range(0.0, 100.0, low_open=True))
    target: Target = attrs.field(default="minus_one_one", validator=one_of_targets)
    bins: int = attrs.field(default=4096, validator=in_range(16, 1_048_576))


@register_normaliser("histogram", params=HistogramParams)
class HistogramNormaliser(FittedNormaliser):
    """Matches LR to HR's per-channel distribution, then stretches HR's percentiles onto the target.

    Buffers: ``lr_knots`` and ``hr_knots`` ``[C, K]``, ``shift`` and ``scale`` ``[C]`` (HR's stretch),
    ``fitted``. Exact inverse everywhere (see the module docstring).
    """

    lr_knots: Tensor
    hr_knots: Tensor
    shift: Tensor
    scale: Tensor

    def __init__(self, channels: int, params: HistogramParams | None = None) -> None:
        self.params = params or HistogramParams()
        super().__init__(channels, "hr")
        knots = torch.linspace(0.0, 1.0, self.params.quantiles).expand(channels, -1).clone()
        self.register_buffer("lr_knots", knots.clone())
        self.register_buffer("hr_knots", knots)
        self.register_buffer("shift", torch.zeros(channels))
        self.register_buffer("scale", torch.ones(channels))

    def _fit(self, samples: Iterable[Sample]) -> None:
        p = self.params
        who = type(self).__name__
        ranges = range_pass(samples, self.channels, who)
        histograms = histogram_pass(samples, self.channels, ranges, p.bins, who)
        probabilities = torch.linspace(0.0, 1.0, p.quantiles, dtype=torch.float64)
        quantiles: dict[Branch, Tensor] = {}
        for branch in ("lr", "hr"):
            quantiles[branch] = histograms[branch].quantiles(probabilities)
            quantiles[branch][:, 0] = ranges[branch].low
            quantiles[branch][:, -1] = ranges[branch].high
        lr_knots, hr_knots = matched_knots(
            quantiles["lr"], quantiles["hr"], histograms["lr"].width, histograms["hr"].width
        )
        stretch = torch.tensor([p.low / 100.0, p.high / 100.0], dtype=torch.float64)
        bounds = histograms["hr"].quantiles(stretch)
        lo, hi = target_bounds(p.target)
        scale = (bounds[:, 1] - bounds[:, 0]) / (hi - lo)
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        self.lr_knots.copy_(lr_knots.to(self.lr_knots.dtype))
        self.hr_knots.copy_(hr_knots.to(self.hr_knots.dtype))
        self.scale.copy_(scale.to(self.scale.dtype))
        self.shift.copy_((bounds[:, 0] - lo * scale).to(self.shift.dtype))

    def _knots(self) -> tuple[Tensor, Tensor]:
        # Float32 buffers can merge knots that δ kept apart in float64: re-separate in their dtype.
        return strictly_increasing(self.lr_knots), strictly_increasing(self.hr_knots)

    def normalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Sensor units ``[B, C, *S]`` → network range; LR is first matched to HR's distribution."""
        x = self._validated(x, branch)
        self.require_fitted()
        if branch == "lr":
            lr_knots, hr_knots = self._knots()
            x = piecewise_linear(x, lr_knots, hr_knots)
        return (x - broadcastable(self.shift, x)) / broadcastable(self.scale, x)

    def denormalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Network range ``[B, C, *S]`` → sensor units of ``branch`` (LR through the inverse map)."""
        x = self._validated(x, branch)
        self.require_fitted()
        x = x * broadcastable(self.scale, x) + broadcastable(self.shift, x)
        if branch == "lr":
            lr_knots, hr_knots = self._knots()
            x = piecewise_linear(x, hr_knots, lr_knots)
        return x
