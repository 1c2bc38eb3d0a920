import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gan_engine.training.schedules import WeightSchedule, ramp

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


@given(
    start=st.integers(0, 50),
    length=st.integers(0, 50),
    shape=st.sampled_from(["constant", "linear", "cosine"]),
)
def test_weight_schedule_is_off_before_start_and_full_after_the_ramp(
    start: int, length: int, shape: str
) -> None:
    schedule = WeightSchedule(shape=shape, start=start, length=length)  # type: ignore[arg-type]
    assert schedule.factor(start - 1) == 0.0
    assert schedule.factor(start + length) == 1.0
    assert all(0.0 <= schedule.factor(s) <= 1.0 for s in range(start, start + length + 2))


def test_weight_schedule_values() -> None:
    assert WeightSchedule().factor(0) == 1.0
    assert WeightSchedule(shape="constant", start=10).factor(9) == 0.0
    assert WeightSchedule(shape="constant", start=10).factor(10) == 1.0
    assert WeightSchedule(shape="linear", start=10, length=4).factor(11) == 0.25
