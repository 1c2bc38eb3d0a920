import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gan_engine.training.schedules import ramp

shapes = st.sampled_from(["linear", "cosine"])


@given(length=st.integers(0, 1000), shape=shapes, steps=st.lists(st.integers(-5, 1200), min_size=2))
def test_ramp_is_monotone_and_bounded(length: int, shape: str, steps: list[int]) -> None:
    values = [ramp(step, length, shape) for step in sorted(steps)]  # type: ignore[arg-type]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(a <= b for a, b in itertools.pairwise(values))


@pytest.mark.parametrize("shape", ["linear", "cosine"])
def test_ramp_boundaries(shape: str) -> None:
    assert ramp(-1, 10, shape) == 0.0  # type: ignore[arg-type]
    assert ramp(0, 10, shape) == 0.0  # type: ignore[arg-type]
    assert ramp(10, 10, shape) == 1.0  # type: ignore[arg-type]
    assert ramp(0, 0, shape) == 1.0  # type: ignore[arg-type]
    assert math.isclose(ramp(5, 10, shape), 0.5)  # type: ignore[arg-type]


def test_cosine_eases_in() -> None:
    assert ramp(1, 10, "cosine") < ramp(1, 10, "linear")
    assert ramp(9, 10, "cosine") > ramp(9, 10, "linear")


def test_negative_length_is_rejected() -> None:
    with pytest.raises(ValueError, match="ramp length must be >= 0, got -1"):
        ramp(0, -1)
