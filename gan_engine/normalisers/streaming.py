"""Streaming per-channel statistics: moments, ranges and quantiles without holding the data.

Each estimator takes chunks of values ``[C, N]`` (one row per channel, any ``N``) one at a time and
keeps a state whose size does not depend on how much data it has seen:

- :class:`RunningMoments` — count, mean and sum of squared deviations in float64, merged with Chan et
  al.'s parallel update, so mean and standard deviation match a one-shot float64 computation to
  rounding error (about 1e-12 relative) whatever the chunking.
- :class:`RunningRange` — per-channel minimum and maximum (exact).
- :class:`ChannelHistogram` — a fixed-bin histogram per channel over a range known in advance (found
  by a first pass with :class:`RunningRange`). A quantile is read from the cumulative counts and
  interpolated inside its bin, so it lies in the bin holding the order statistic it stands for: the
  error is at most one bin width ``(high - low) / bins`` plus the gap between that order statistic and
  the next one (negligible for dense data; for integer data it is under one bin width plus one level).
"""

from __future__ import annotations

import torch
from torch import Tensor


def _check_chunk(values: Tensor, channels: int, who: str) -> Tensor:
    if values.ndim != 2 or values.shape[0] != channels:
        msg = f"{who}: expected values [{channels}, N], got shape {tuple(values.shape)}"
        raise ValueError(msg)
    return values.to(torch.float64)


class RunningMoments:
    """Per-channel count, mean and variance of a stream of ``[C, N]`` chunks (float64)."""

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self.count = torch.zeros(channels, dtype=torch.float64)
        self.mean = torch.zeros(channels, dtype=torch.float64)
        self.m2 = torch.zeros(channels, dtype=torch.float64)

    def update(self, values: Tensor) -> None:
        """Merge a chunk ``[C, N]`` (Chan, Golub & LeVeque's pairwise update)."""
        values = _check_chunk(values, self.channels, "RunningMoments")
        n_b = values.shape[1]
        if n_b == 0:
            return
        mean_b = values.mean(dim=1)
        m2_b = (values - mean_b[:, None]).square().sum(dim=1)
        n_a = self.count
        total = n_a + n_b
        delta = mean_b - self.mean
        self.mean = self.mean + delta * (n_b / total)
        self.m2 = self.m2 + m2_b + delta.square() * (n_a * n_b / total)
        self.count = total

    def variance(self) -> Tensor:
        """Population variance ``[C]`` (divided by the count, not count - 1)."""
        return self.m2 / self.count.clamp(min=1.0)

    def std(self) -> Tensor:
        """Population standard deviation ``[C]``."""
        return self.variance().sqrt()


class RunningRange:
    """Per-channel minimum and maximum of a stream of ``[C, N]`` chunks."""

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self.low = torch.full((channels,), float("inf"), dtype=torch.float64)
        self.high = torch.full((channels,), float("-inf"), dtype=torch.float64)
        self.count = 0

    def update(self, values: Tensor) -> None:
        """Merge a chunk ``[C, N]``."""
        values = _check_chunk(values, self.channels, "RunningRange")
        if values.shape[1] == 0:
            return
        self.low = torch.minimum(self.low, values.amin(dim=1))
        self.high = torch.maximum(self.high, values.amax(dim=1))
        self.count += values.shape[1]


class ChannelHistogram:
    """Fixed-bin per-channel histograms over ``[low, high]`` and the quantiles read from them.

    Args:
        low: ``[C]`` lower edge of each channel's first bin.
        high: ``[C]`` upper edge of each channel's last bin (a zero-width range holds one value).
        bins: number of equal-width bins per channel.
    """

    def __init__(self, low: Tensor, high: Tensor, bins: int) -> None:
        if bins < 1:
            msg = f"ChannelHistogram: bins must be >= 1, got {bins}"
            raise ValueError(msg)
        if low.shape != high.shape or low.ndim != 1:
            msg = f"ChannelHistogram: low and high must be [C], got {tuple(low.shape)}, {tuple(high.shape)}"
            raise ValueError(msg)
        self.channels = low.numel()
        self.bins = bins
        self.low = low.to(torch.float64)
        self.high = high.to(torch.float64)
        # A zero-width range still needs a positive width to index bins; every value lands in bin 0.
        self.width = ((self.high - self.low) / bins).clamp(min=torch.finfo(torch.float64).tiny)
        self.counts = torch.zeros(self.channels, bins, dtype=torch.int64)

    def update(self, values: Tensor) -> None:
        """Count a chunk ``[C, N]``; values outside ``[low, high]`` go to the end bins."""
        values = _check_chunk(values, self.channels, "ChannelHistogram")
        if values.shape[1] == 0:
            return
        index = ((values - self.low[:, None]) / self.width[:, None]).floor()
        index = index.clamp(0, self.bins - 1).to(torch.int64)
        index = index + torch.arange(self.channels)[:, None] * self.bins
        flat = torch.bincount(index.flatten(), minlength=self.channels * self.bins)
        self.counts += flat.view(self.channels, self.bins)

    def quantiles(self, probabilities: Tensor) -> Tensor:
        """Quantiles ``[C, P]`` at ``probabilities`` ``[P]`` in ``[0, 1]`` (linear-rank definition).

        The value of rank ``p · (n - 1)`` (0-based, as ``torch.quantile``) is located in its bin and
        placed inside the bin by its position among the bin's values.
        """
        probabilities = probabilities.to(torch.float64)
        total = self.counts.sum(dim=1)
        if bool((total == 0).any()):
            msg = "ChannelHistogram: no values counted; quantiles are undefined"
            raise ValueError(msg)
        cumulative = self.counts.cumsum(dim=1)
        rank = (probabilities[None, :] * (total[:, None] - 1).to(torch.float64)).floor()
        # The bin holding the value of 0-based rank r is the first whose cumulative count exceeds r.
        bin_index = torch.searchsorted(cumulative, rank.to(torch.int64), right=True)
        bin_index = bin_index.clamp(max=self.bins - 1)
        before = torch.where(
            bin_index > 0,
            cumulative.gather(1, (bin_index - 1).clamp(min=0)),
            torch.zeros_like(bin_index),
        )
        in_bin = self.counts.gather(1, bin_index).clamp(min=1)
        fraction = (rank - before.to(torch.float64) + 0.5) / in_bin.to(torch.float64)
        edges = self.low[:, None] + bin_index.to(torch.float64) * self.width[:, None]
        estimate = edges + fraction.clamp(0.0, 1.0) * self.width[:, None]
        return torch.minimum(torch.maximum(estimate, self.low[:, None]), self.high[:, None])
