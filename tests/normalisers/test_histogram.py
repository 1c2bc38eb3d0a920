"""The histogram normaliser: LR takes HR's distribution, maps are monotone bijections, exact inverse."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.normalisers.histogram import HistogramNormaliser, HistogramParams
from gan_engine.normalisers.quantile_maps import matched_knots, piecewise_linear
from gan_engine.types import Sample


def sensor_pair(seed: int, count: int = 4) -> list[Sample]:
    """HR reflectance and an LR from another 'sensor': darker, lower contrast, nonlinear."""
    generator = torch.Generator().manual_seed(seed)
    samples: list[Sample] = []
    for _ in range(count):
        hr = torch.rand(2, 16, 16, generator=generator) ** 2 * 8000 + 200
        lr = hr.reshape(2, 8, 2, 8, 2).mean(dim=(2, 4))
        samples.append({"lr": torch.sqrt(lr) * 10 + 50, "hr": hr})
    return samples


def test_lr_is_matched_to_hr_distribution() -> None:
    samples = sensor_pair(0)
    normaliser = HistogramNormaliser(2, HistogramParams(quantiles=64))
    normaliser.fit(samples)
    lr = torch.stack([s["lr"] for s in samples])
    hr = torch.stack([s["hr"] for s in samples])
    # After matching, LR values are distributed like HR's (the raw ones are thousands of units off).
    matched = normaliser.normalise(lr, "lr")
    reference = normaliser.normalise(hr, "hr")
    probabilities = torch.linspace(0.05, 0.95, 10)
    for channel in range(2):
        got = torch.quantile(matched[:, channel].flatten(), probabilities)
        want = torch.quantile(reference[:, channel].flatten(), probabilities)
        assert (
            float((got - want).abs().max()) < 0.15
        )  # the raw LR values are thousands of units off
    assert float(matched.min()) < -0.9
    assert float(matched.max()) > 0.9


def test_hr_branch_is_a_linear_stretch_of_its_percentiles() -> None:
    normaliser = HistogramNormaliser(1, HistogramParams(low=0.0, high=100.0, target="zero_one"))
    hr = torch.arange(0.0, 101.0).view(1, 1, 101)
    normaliser.fit([{"lr": hr[:, :, :50], "hr": hr}])
    y = normaliser.normalise(hr.view(1, 1, 1, 101), "hr")
    torch.testing.assert_close(y.flatten(), torch.linspace(0.0, 1.0, 101), atol=1e-3, rtol=0)


@settings(deadline=None, max_examples=20)
@given(seed=st.integers(0, 2**31 - 1), levels=st.sampled_from([4, 30, 10_000]))
def test_inverse_is_exact_even_with_tied_integer_levels(seed: int, levels: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    hr = torch.randint(0, levels, (1, 16, 16), generator=generator).float()
    lr = torch.randint(0, levels, (1, 8, 8), generator=generator).float() * 3 + 7
    normaliser = HistogramNormaliser(1)
    normaliser.fit([{"lr": lr, "hr": hr}])
    for knots in (normaliser.lr_knots, normaliser.hr_knots):
        assert bool((knots.diff(dim=1) > 0).all())
    x = torch.linspace(-50.0, 3.0 * levels + 50, 997).view(1, 1, 1, 997)
    y = normaliser.normalise(x, "lr")
    assert bool((y.diff(dim=-1) >= 0).all())  # monotone
    back = normaliser.denormalise(y, "lr")
    span = 3.0 * levels + 100
    torch.testing.assert_close(back, x, rtol=0, atol=1e-5 * span)


def test_piecewise_linear_continues_with_slope_one() -> None:
    source = torch.tensor([[0.0, 1.0, 3.0]])
    target = torch.tensor([[10.0, 20.0, 21.0]])
    x = torch.tensor([-2.0, 0.5, 2.0, 5.0]).view(1, 1, 1, 4)
    y = piecewise_linear(x, source, target)
    torch.testing.assert_close(y.flatten(), torch.tensor([8.0, 15.0, 20.5, 23.0]))
    torch.testing.assert_close(piecewise_linear(y, target, source), x)


def test_matched_knots_merge_ties_and_keep_the_count() -> None:
    source = torch.tensor([[0.0, 5.0, 5.0, 5.0, 9.0]], dtype=torch.float64)
    target = torch.tensor([[0.0, 1.0, 2.0, 3.0, 9.0]], dtype=torch.float64)
    x, y = matched_knots(source, target, torch.tensor([0.01]), torch.tensor([0.01]))
    assert x.shape == y.shape == (1, 5)
    assert bool((x.diff() > 0).all())
    assert bool((y.diff() > 0).all())
    # The tied source value 5 goes to the middle of the targets it was tied to.
    torch.testing.assert_close(
        piecewise_linear(torch.full((1, 1, 1, 1), 5.0), x, y).flatten(), torch.tensor([2.0])
    )
