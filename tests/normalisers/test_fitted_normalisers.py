"""Fitted normalisers: streaming fit equals batch statistics, masks and NaNs ignored, state, errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.errors import DataError, InvalidParamError
from gan_engine.normalisers.fitted import FittedNormaliser, NotFittedError
from gan_engine.normalisers.histogram import HistogramNormaliser, HistogramParams
from gan_engine.normalisers.statistics import (
    FittedMinMaxNormaliser,
    FittedMinMaxParams,
    PercentileNormaliser,
    PercentileParams,
    ZScoreNormaliser,
    ZScoreParams,
)
from gan_engine.types import Sample

FITTED = [FittedMinMaxNormaliser, ZScoreNormaliser, PercentileNormaliser, HistogramNormaliser]


def samples_of(seed: int, count: int, channels: int, dims: int = 2, size: int = 8) -> list[Sample]:
    generator = torch.Generator().manual_seed(seed)
    out: list[Sample] = []
    for _ in range(count):
        hr = torch.randn((channels,) + (size,) * dims, generator=generator) * 300 + 2000
        lr = hr.reshape(channels, *[n for _ in range(dims) for n in (size // 2, 2)])
        lr = lr.mean(dim=tuple(range(2, 2 + 2 * dims, 2)))
        out.append({"lr": lr, "hr": hr})
    return out


def pooled(samples: list[Sample], branch: str) -> torch.Tensor:
    channels = samples[0]["hr"].shape[0]
    return torch.cat([s[branch].reshape(channels, -1) for s in samples], dim=1).double()  # type: ignore[literal-required]


class Counting:
    """A re-iterable collection that counts its passes."""

    def __init__(self, samples: list[Sample]) -> None:
        self.samples = samples
        self.passes = 0

    def __iter__(self) -> Iterator[Sample]:
        self.passes += 1
        return iter(self.samples)


@settings(deadline=None, max_examples=15)
@given(
    count=st.integers(1, 5),
    channels=st.integers(1, 4),
    dims=st.sampled_from([2, 3]),
    seed=st.integers(0, 2**31 - 1),
)
def test_zscore_streaming_fit_equals_batch(count: int, channels: int, dims: int, seed: int) -> None:
    samples = samples_of(seed, count, channels, dims, size=4)
    normaliser = ZScoreNormaliser(channels, ZScoreParams(statistics="per_branch"))
    normaliser.fit(samples)
    for row, branch in enumerate(("lr", "hr")):
        data = pooled(samples, branch)
        torch.testing.assert_close(
            normaliser.shift[row].double(), data.mean(dim=1), rtol=1e-6, atol=1e-6
        )
        std = data.std(dim=1, correction=0)
        torch.testing.assert_close(normaliser.scale[row].double(), std, rtol=1e-6, atol=1e-6)


def test_minmax_fitted_maps_data_range_onto_target() -> None:
    samples = samples_of(0, 3, 2)
    normaliser = FittedMinMaxNormaliser(2, FittedMinMaxParams(target="zero_one"))
    normaliser.fit(samples)
    hr = torch.stack([s["hr"] for s in samples])
    y = normaliser.normalise(hr, "hr")
    assert y.amin(dim=(0, 2, 3)).tolist() == pytest.approx([0.0, 0.0], abs=1e-6)
    assert y.amax(dim=(0, 2, 3)).tolist() == pytest.approx([1.0, 1.0], abs=1e-6)


def order_statistic_gap(data: torch.Tensor, probability: float) -> torch.Tensor:
    """Per channel: the distance from the order statistic of ``probability`` to the next one."""
    ordered = data.sort(dim=1).values
    rank = int(probability * (data.shape[1] - 1))
    return ordered[:, min(rank + 1, data.shape[1] - 1)] - ordered[:, rank]


def test_percentile_within_tolerance_clips_and_inverts_on_its_range() -> None:
    samples = samples_of(1, 8, 3, size=16)
    params = PercentileParams(low=2.0, high=98.0, bins=1024)
    normaliser = PercentileNormaliser(3, params)
    normaliser.fit(samples)
    data = pooled(samples, "hr")
    exact = torch.quantile(data, torch.tensor([0.02, 0.98], dtype=torch.float64), dim=1).T
    # The documented accuracy: one bin width plus the gap to the next order statistic.
    width = (data.amax(dim=1) - data.amin(dim=1)) / params.bins
    low, high = normaliser.valid_range("hr")
    assert bool(
        ((low.double() - exact[:, 0]).abs() <= width + order_statistic_gap(data, 0.02)).all()
    )
    assert bool(
        ((high.double() - exact[:, 1]).abs() <= width + order_statistic_gap(data, 0.98)).all()
    )
    x = torch.stack([s["hr"] for s in samples])
    y = normaliser.normalise(x, "hr")
    assert float(y.min()) == pytest.approx(-1.0, abs=1e-5)
    assert float(y.max()) == pytest.approx(1.0, abs=1e-5)
    shape = (1, 3, 1, 1)
    inside = (x >= low.view(shape)) & (x <= high.view(shape))
    assert 0.9 < float(inside.float().mean()) < 0.99
    back = normaliser.denormalise(y, "hr")
    torch.testing.assert_close(back[inside], x[inside], rtol=1e-6, atol=1e-3)
    torch.testing.assert_close(back, torch.clamp(x, low.view(shape), high.view(shape)))


@pytest.mark.parametrize("cls", FITTED)
def test_masked_and_non_finite_pixels_do_not_count(cls: Any) -> None:
    dirty: list[Sample] = []
    reference: list[Sample] = []
    for sample in samples_of(2, 3, 2):
        hr, lr = sample["hr"].clone(), sample["lr"].clone()
        mask = torch.ones(1, *hr.shape[1:])
        mask[:, :2, :] = 0  # two HR rows are nodata ...
        hr[:, :2, :] = 60000.0  # ... holding absurd values,
        lr[:, :1, :] = -5e4  # and so is the LR row over them.
        hr[0, 7, 7] = float("nan")  # A NaN pixel is left out in every band.
        dirty.append({"lr": lr, "hr": hr, "mask": mask})
        keep = torch.ones(hr.shape[1:], dtype=torch.bool)
        keep[:2, :] = False
        keep[7, 7] = False
        # The same valid pixels as a [C, 1, N] strip without a mask.
        reference.append(
            {"lr": lr[:, 1:, :].reshape(2, 1, -1), "hr": hr[:, keep].reshape(2, 1, -1)}
        )
    fitted, expected = cls(2), cls(2)
    fitted.fit(dirty)
    expected.fit(reference)
    for name, value in expected.state_dict().items():
        torch.testing.assert_close(fitted.state_dict()[name], value, rtol=1e-6, atol=1e-4, msg=name)


@pytest.mark.parametrize("cls", FITTED)
def test_refuses_before_fit_and_works_after_loading_state(cls: Any) -> None:
    unfitted = cls(2)
    assert isinstance(unfitted, FittedNormaliser)
    assert not unfitted.is_fitted
    with pytest.raises(NotFittedError) as caught:
        unfitted.normalise(torch.zeros(1, 2, 4, 4), "lr")
    message = str(caught.value)
    assert cls.__name__ in message
    assert "fit(samples)" in message
    assert "checkpoint" in message
    with pytest.raises(NotFittedError):
        unfitted.denormalise(torch.zeros(1, 2, 4, 4), "hr")
    fitted = cls(2)
    fitted.fit(samples_of(3, 2, 2))
    assert "fitted" in fitted.state_dict()
    unfitted.load_state_dict(fitted.state_dict())
    assert unfitted.is_fitted
    x = torch.rand(1, 2, 4, 4, 4) * 3000  # statistics serve 3D as well
    torch.testing.assert_close(unfitted.normalise(x, "lr"), fitted.normalise(x, "lr"))


@pytest.mark.parametrize("cls", FITTED)
def test_fit_streams_over_a_reiterable_and_refuses_iterators(cls: Any) -> None:
    samples = Counting(samples_of(4, 3, 1))
    cls(1).fit(samples)
    assert samples.passes >= 1
    with pytest.raises(TypeError, match="re-iterable"):
        cls(1).fit(iter(samples_of(4, 3, 1)))
    with pytest.raises(TypeError, match="one-shot"):
        cls(1).fit(sample for sample in samples_of(4, 3, 1))


def test_two_pass_normalisers_reread_the_collection() -> None:
    samples = Counting(samples_of(5, 2, 1))
    PercentileNormaliser(1).fit(samples)
    assert samples.passes == 2


@pytest.mark.parametrize("cls", FITTED)
def test_nothing_valid_is_a_data_error(cls: Any) -> None:
    hr = torch.rand(1, 4, 4)
    masked: Sample = {"lr": torch.rand(1, 2, 2), "hr": hr, "mask": torch.zeros(1, 4, 4)}
    with pytest.raises(DataError, match="no valid pixels"):
        cls(1).fit([masked])
    with pytest.raises(DataError, match="no valid pixels"):
        cls(1).fit([])


def test_statistics_hr_shares_one_space_per_branch_does_not() -> None:
    samples = [{"lr": s["lr"] + 500.0, "hr": s["hr"]} for s in samples_of(6, 3, 1)]
    shared = ZScoreNormaliser(1)
    own = ZScoreNormaliser(1, ZScoreParams(statistics="per_branch"))
    shared.fit(samples)  # type: ignore[arg-type]
    own.fit(samples)  # type: ignore[arg-type]
    x = torch.full((1, 1, 2, 2), 2500.0)
    assert torch.equal(shared.normalise(x, "lr"), shared.normalise(x, "hr"))
    assert not torch.equal(own.normalise(x, "lr"), own.normalise(x, "hr"))


def test_constant_channel_gets_unit_scale() -> None:
    constant: Sample = {"lr": torch.full((1, 2, 2), 7.0), "hr": torch.full((1, 4, 4), 7.0)}
    for cls in FITTED:
        normaliser = cls(1)
        normaliser.fit([constant])
        y = normaliser.normalise(torch.full((1, 1, 2, 2), 7.0), "hr")
        assert bool(torch.isfinite(y).all())
        back = normaliser.denormalise(y, "hr")
        torch.testing.assert_close(back, torch.full_like(back, 7.0))


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: PercentileParams(low=98.0, high=2.0), "low"),
        (lambda: PercentileParams(high=120.0), "high"),
        (lambda: PercentileParams(bins=4), "bins"),
        (lambda: ZScoreParams(statistics="lr"), "statistics"),
        (lambda: FittedMinMaxParams(target="unit"), "target"),
        (lambda: HistogramParams(quantiles=1), "quantiles"),
        (lambda: HistogramParams(low=50.0, high=40.0), "low"),
    ],
)
def test_invalid_params_name_the_key(build: Any, key: str) -> None:
    with pytest.raises(InvalidParamError) as caught:
        build()
    assert caught.value.key == key
