from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gan_engine.inference.grid import plan_axis, plan_grid
from gan_engine.inference.window import axis_support, axis_weights, tile_weights


@st.composite
def axes(draw: st.DrawFn) -> tuple[int, int, int, int, int]:
    multiple = draw(st.sampled_from([1, 2]))
    overlap = draw(st.integers(0, 6))
    tile = 2 * overlap + multiple * draw(st.integers(1, 8))
    length = multiple * draw(st.integers(1, 60))
    guard = draw(st.integers(0, overlap))
    return length, tile, overlap, multiple, guard


@given(axes())
def test_cores_partition_the_axis_and_keep_the_overlap_inside_their_tile(
    case: tuple[int, int, int, int, int],
) -> None:
    length, tile, overlap, multiple, guard = case
    plan = plan_axis(length, tile, overlap, multiple=multiple, guard=guard)
    assert plan.cuts[0] == 0
    assert plan.cuts[-1] == length
    assert all(lo < hi for lo, hi in itertools.pairwise(plan.cuts))
    assert plan.tile <= max(tile, 1) or plan.count == 1
    assert plan.starts[0] == 0
    assert plan.starts[-1] + plan.tile == length
    for i, start in enumerate(plan.starts):
        assert start % multiple == 0
        assert plan.tile % multiple == 0 or plan.count == 1
        lo, hi = plan.cuts[i], plan.cuts[i + 1]
        assert start <= lo
        assert hi <= start + plan.tile
        if i > 0:  # an inner edge: the core keeps `overlap` pixels of context
            assert lo - start >= overlap
            assert lo - plan.ramps[i - 1] - start >= guard
        if i < plan.count - 1:
            assert start + plan.tile - hi >= overlap
            assert start + plan.tile - (hi + plan.ramps[i]) >= guard


@given(axes(), st.integers(1, 4))
def test_blend_weights_sum_to_one_along_an_axis(
    case: tuple[int, int, int, int, int], scale: int
) -> None:
    length, tile, overlap, multiple, guard = case
    plan = plan_axis(length, tile, overlap, multiple=multiple, guard=guard)
    total = np.zeros(scale * length)
    for index in range(plan.count):
        support = axis_support(plan, index, scale)
        assert scale * plan.starts[index] <= support.start
        assert support.stop <= scale * (plan.starts[index] + plan.tile)
        total[support] += axis_weights(plan, index, scale)
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


def test_n_d_weights_are_a_partition_of_unity() -> None:
    grid = plan_grid((37, 29), (16, 12), 3)
    total = np.zeros((2 * 37, 2 * 29))
    for tile in grid:
        support, weights = tile_weights(grid, tile.index, 2)
        total[support] += weights.numpy()
    np.testing.assert_allclose(total, 1.0, atol=1e-6)


def test_tiles_are_shrunk_evenly_instead_of_padding_the_last_one() -> None:
    plan = plan_axis(2048, 512, 9)
    computed = plan.count * plan.tile
    assert computed / 2048 < 1.1
    assert plan.tile <= 512


def test_bad_plans_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="no core"):
        plan_axis(100, 10, 5)
    with pytest.raises(ValueError, match="multiples of 2"):
        plan_axis(101, 32, 4, multiple=2)
