"""Streaming estimators equal the one-shot computation, whatever the chunking."""

from __future__ import annotations

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.normalisers.streaming import ChannelHistogram, RunningMoments, RunningRange


def chunks_of(data: torch.Tensor, cuts: list[int]) -> list[torch.Tensor]:
    edges = sorted({0, data.shape[1], *[c % (data.shape[1] + 1) for c in cuts]})
    return [data[:, a:b] for a, b in itertools.pairwise(edges)]


@settings(deadline=None, max_examples=30)
@given(
    channels=st.integers(1, 5),
    length=st.integers(1, 400),
    cuts=st.lists(st.integers(0, 400), max_size=6),
    offset=st.sampled_from([0.0, 1e4, -3.0]),
    seed=st.integers(0, 2**31 - 1),
)
def test_moments_match_batch_computation(
    channels: int, length: int, cuts: list[int], offset: float, seed: int
) -> None:
    generator = torch.Generator().manual_seed(seed)
    data = torch.rand(channels, length, generator=generator, dtype=torch.float64) * 5000 + offset
    moments = RunningMoments(channels)
    for chunk in chunks_of(data, cuts):
        moments.update(chunk)
    torch.testing.assert_close(moments.mean, data.mean(dim=1), rtol=1e-12, atol=1e-6)
    torch.testing.assert_close(moments.std(), data.std(dim=1, correction=0), rtol=1e-9, atol=1e-6)
    assert moments.count.tolist() == [float(length)] * channels


def test_moments_are_float64_even_for_float32_chunks() -> None:
    # 1e4 + small noise: float32 accumulation of squares would lose the variance.
    base = torch.full((1, 10_000), 1e4, dtype=torch.float32)
    noise = torch.linspace(-0.5, 0.5, 10_000).view(1, -1)
    data = base + noise
    moments = RunningMoments(1)
    for chunk in torch.split(data, 97, dim=1):
        moments.update(chunk)
    exact = data.double().std(dim=1, correction=0)
    torch.testing.assert_close(moments.std(), exact, rtol=1e-9, atol=1e-9)
    assert moments.std().dtype == torch.float64


def test_range_is_exact() -> None:
    data = torch.tensor([[3.0, -1.0, 7.0, 2.0], [0.0, 0.0, 0.0, 0.0]])
    running = RunningRange(2)
    running.update(data[:, :1])
    running.update(data[:, 1:])
    running.update(data[:, :0])
    assert running.low.tolist() == [-1.0, 0.0]
    assert running.high.tolist() == [7.0, 0.0]
    assert running.count == 4


@settings(deadline=None, max_examples=25)
@given(
    channels=st.integers(1, 4),
    bins=st.sampled_from([64, 256, 4096]),
    integer=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_histogram_quantiles_within_documented_tolerance(
    channels: int, bins: int, integer: bool, seed: int
) -> None:
    generator = torch.Generator().manual_seed(seed)
    data = torch.randn(channels, 3000, generator=generator, dtype=torch.float64) * 800 + 3000
    if integer:
        data = data.round()
    low, high = data.amin(dim=1), data.amax(dim=1)
    histogram = ChannelHistogram(low, high, bins)
    for chunk in torch.split(data, 250, dim=1):
        histogram.update(chunk)
    probabilities = torch.tensor([0.0, 0.02, 0.25, 0.5, 0.98, 1.0], dtype=torch.float64)
    estimate = histogram.quantiles(probabilities)
    exact = torch.quantile(data, probabilities, dim=1).T
    # One bin width, plus the gap to the next order statistic (documented in the module).
    ordered = data.sort(dim=1).values
    rank = (probabilities * (data.shape[1] - 1)).floor().long()
    gap = (ordered[:, (rank + 1).clamp(max=data.shape[1] - 1)] - ordered[:, rank]).abs()
    tolerance = ((high - low) / bins)[:, None] + gap + 1e-9
    assert bool(((estimate - exact).abs() <= tolerance).all())


def test_histogram_of_a_constant_channel() -> None:
    histogram = ChannelHistogram(torch.tensor([5.0]), torch.tensor([5.0]), 16)
    histogram.update(torch.full((1, 10), 5.0))
    assert histogram.quantiles(torch.tensor([0.0, 0.5, 1.0])).tolist() == [[5.0, 5.0, 5.0]]


def test_histogram_rejects_empty_and_bad_shapes() -> None:
    histogram = ChannelHistogram(torch.zeros(2), torch.ones(2), 16)
    with pytest.raises(ValueError, match="no values"):
        histogram.quantiles(torch.tensor([0.5]))
    with pytest.raises(ValueError, match=r"\[2, N\]"):
        histogram.update(torch.zeros(3, 4))
