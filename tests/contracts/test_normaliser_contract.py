"""Every registered normaliser: an exact inverse on its valid range, and its state travels.

The tests iterate the whole registry; fitted normalisers are fitted on random samples first (see
:func:`build`), and their round trip is exact on their valid range.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import gan_engine.normalisers.histogram
import gan_engine.normalisers.statistics  # noqa: F401  (register the fitted normalisers)
from gan_engine.normalisers.fitted import FittedNormaliser
from gan_engine.protocols import Normaliser
from gan_engine.registry import NORMALISERS
from gan_engine.types import Sample

ENTRIES = NORMALISERS.entries()


def default_params(params_cls: type[Any]) -> Any:
    tiny = getattr(params_cls, "tiny", None)
    return tiny() if callable(tiny) else params_cls()


def random_samples(channels: int, dims: int, seed: int, count: int = 3) -> list[Sample]:
    """Random unbatched samples in 0..255 (LR is the 2x block mean of HR)."""
    generator = torch.Generator().manual_seed(seed)
    samples: list[Sample] = []
    for _ in range(count):
        hr = torch.rand((channels,) + (8,) * dims, generator=generator) * 255.0
        blocks = hr.reshape(channels, *[n for _ in range(dims) for n in (4, 2)])
        lr = blocks.mean(dim=tuple(range(2, 2 + 2 * dims, 2)))
        samples.append({"lr": lr, "hr": hr})
    return samples


def build(entry: Any, channels: int, dims: int = 2, seed: int = 0) -> Any:
    """The entry's normaliser with default params, fitted on random samples when it is fitted."""
    normaliser = entry.factory(channels, default_params(entry.params_cls))
    if isinstance(normaliser, FittedNormaliser):
        normaliser.fit(random_samples(channels, dims, seed))
    return normaliser


# Float32 piecewise-linear maps amplify rounding by the ratio of neighbouring slopes: the histogram
# normaliser round-trips to about 1e-5 of the data range (300 here), the affine ones far tighter.
ROUND_TRIP_ATOL = {"histogram": 3e-3}


def expected_round_trip(normaliser: Any, x: torch.Tensor, branch: str) -> torch.Tensor:
    """``x`` clipped to the normaliser's valid range (unchanged for non-clipping ones)."""
    if not isinstance(normaliser, FittedNormaliser):
        return x
    low, high = normaliser.valid_range(branch)  # type: ignore[arg-type]
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    return torch.clamp(x, low.view(shape), high.view(shape))


def test_builtins_are_registered() -> None:
    fitted = {"minmax_fitted", "zscore", "percentile", "histogram"}
    assert {"identity", "fixed_scale", "minmax"} | fitted <= set(NORMALISERS.names())
    assert NORMALISERS.broken() == {}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
@settings(deadline=None, max_examples=25)
@given(
    dims=st.sampled_from([2, 3]),
    channels=st.integers(1, 6),
    batch=st.integers(1, 3),
    size=st.integers(2, 8),
    seed=st.integers(0, 2**31 - 1),
)
def test_denormalise_inverts_normalise(
    entry: Any, dims: int, channels: int, batch: int, size: int, seed: int
) -> None:
    normaliser = build(entry, channels, dims, seed)
    assert isinstance(normaliser, Normaliser)
    generator = torch.Generator().manual_seed(seed)
    # A little beyond the fitting range, so clipping and extrapolation are exercised too.
    x = torch.rand((batch, channels) + (size,) * dims, generator=generator) * 300.0 - 20.0
    for branch in ("lr", "hr"):
        y = normaliser.normalise(x, branch)
        assert y.shape == x.shape
        assert y.dtype == torch.float32
        expected = expected_round_trip(normaliser, x, branch)
        atol = ROUND_TRIP_ATOL.get(entry.name, 1e-3)
        torch.testing.assert_close(
            normaliser.denormalise(y, branch), expected, rtol=1e-5, atol=atol
        )


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_state_dict_round_trip(entry: Any) -> None:
    channels = 3
    source = build(entry, channels, seed=1)
    target = entry.factory(channels, default_params(entry.params_cls))
    target.load_state_dict(source.state_dict())
    x = torch.rand(2, channels, 4, 4) * 255
    torch.testing.assert_close(target.normalise(x, "hr"), source.normalise(x, "hr"))
