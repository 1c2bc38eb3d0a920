"""One streaming pass over fitting samples, feeding an estimator per branch.

Each pass iterates ``samples`` once, reads the valid pixels of both branches of one sample at a time
(see :func:`~gan_engine.normalisers.sample_values.valid_values`) and updates a per-branch estimator
from :mod:`gan_engine.normalisers.streaming`; memory holds one sample and the estimators' state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from torch import Tensor

from gan_engine.errors import DataError
from gan_engine.normalisers.base import BRANCHES
from gan_engine.normalisers.sample_values import valid_values
from gan_engine.normalisers.streaming import ChannelHistogram, RunningMoments, RunningRange
from gan_engine.types import Branch, Sample


class _Estimator(Protocol):
    def update(self, values: Tensor) -> None: ...


E = TypeVar("E", bound=_Estimator)


def stream(
    samples: Iterable[Sample], channels: int, make: Callable[[Branch], E], who: str
) -> dict[Branch, E]:
    """Update ``make(branch)`` with the valid values of every sample, for both branches.

    Raises:
        DataError: no sample, or no valid pixel in a branch (everything masked or non-finite).
    """
    estimators = {branch: make(branch) for branch in BRANCHES}
    seen = dict.fromkeys(BRANCHES, 0)
    for sample in samples:
        for branch in BRANCHES:
            values = valid_values(sample, branch, channels)
            estimators[branch].update(values)
            seen[branch] += values.shape[1]
    empty = [branch for branch in BRANCHES if seen[branch] == 0]
    if empty:
        msg = (
            f"{who}.fit found no valid pixels in the {' and '.join(empty)} branch of the fitting "
            "samples (no samples, or every pixel masked as nodata or non-finite)"
        )
        raise DataError(msg)
    return estimators


def moments_pass(
    samples: Iterable[Sample], channels: int, who: str
) -> dict[Branch, RunningMoments]:
    """Per-branch mean and variance of every channel."""
    return stream(samples, channels, lambda _branch: RunningMoments(channels), who)


def range_pass(samples: Iterable[Sample], channels: int, who: str) -> dict[Branch, RunningRange]:
    """Per-branch minimum and maximum of every channel."""
    return stream(samples, channels, lambda _branch: RunningRange(channels), who)


def histogram_pass(
    samples: Iterable[Sample],
    channels: int,
    ranges: dict[Branch, RunningRange],
    bins: int,
    who: str,
) -> dict[Branch, ChannelHistogram]:
    """Per-branch fixed-bin histograms over the ranges of a previous :func:`range_pass`."""
    return stream(
        samples,
        channels,
        lambda branch: ChannelHistogram(ranges[branch].low, ranges[branch].high, bins),
        who,
    )
