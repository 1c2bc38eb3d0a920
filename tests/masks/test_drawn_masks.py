"""Every drawn mask generator: requested hole ratios within tolerance, deterministic per seed, 2D and 3D."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.errors import InvalidParamError
from gan_engine.masks.base import hole_ratio
from gan_engine.masks.shapes import BorderParams, Borders, StripeParams, Stripes
from gan_engine.protocols import MaskGenerator
from gan_engine.registry import MASK_GENERATORS

SETTINGS = settings(deadline=None, max_examples=8, derandomize=True, database=None)


def _drawn_names() -> list[str]:
    names = []
    for entry in MASK_GENERATORS.entries():
        fields = {field.name for field in entry.params_cls.__attrs_attrs__}
        if "hole_ratio" in fields:
            names.append(entry.name)
    return names


DRAWN_NAMES = _drawn_names()
CASES = [
    pytest.param(name, dims, id=f"{name}-{dims}d")
    for name in DRAWN_NAMES
    for dims in sorted(MASK_GENERATORS.get(name).capabilities.spatial_dims)
]


def tolerance(name: str, shape: tuple[int, ...]) -> float:
    """How far a mask may land outside its ratio range: rows of borders and stripes are whole."""
    if name in ("borders", "stripes"):
        return 1.0 / min(shape)
    return 0.02


def build(name: str, **params: Any) -> MaskGenerator:
    entry = MASK_GENERATORS.get(name)
    generator = entry.factory(entry.params_cls(**params))
    assert isinstance(generator, MaskGenerator)
    return generator


def shapes(dims: int) -> st.SearchStrategy[tuple[int, ...]]:
    low, high = (16, 48) if dims == 2 else (8, 16)
    return st.tuples(*[st.integers(low, high)] * dims)


def test_registry_lists_the_generators_and_nothing_is_broken() -> None:
    assert MASK_GENERATORS.broken() == {}
    assert {
        "boxes",
        "ellipsoids",
        "borders",
        "stripes",
        "strokes",
        "tubes",
        "mixture",
        "nodata",
    } <= set(MASK_GENERATORS.names())


@pytest.mark.parametrize(("name", "dims"), CASES)
@SETTINGS
@given(data=st.data())
def test_hole_ratio_within_the_requested_range(name: str, dims: int, data: st.DataObject) -> None:
    shape = data.draw(shapes(dims))
    low = data.draw(st.floats(0.03, 0.5))
    high = data.draw(st.floats(low, 0.6))
    seed = data.draw(st.integers(0, 2**16))
    holes = build(name, hole_ratio=[low, high])(shape, np.random.default_rng(seed))
    assert holes.shape == (1, *shape)
    assert holes.dtype == torch.float32
    assert set(holes.unique().tolist()) <= {0.0, 1.0}
    ratio = hole_ratio(holes)
    slack = tolerance(name, shape)
    assert low - slack <= ratio <= high + slack, (ratio, low, high)


@pytest.mark.parametrize(("name", "dims"), CASES)
@SETTINGS
@given(data=st.data())
def test_same_seed_same_mask_other_seed_other_mask(
    name: str, dims: int, data: st.DataObject
) -> None:
    shape = data.draw(shapes(dims))
    seed = data.draw(st.integers(0, 2**16))
    generator = build(name)
    first = generator(shape, np.random.default_rng(seed))
    again = generator(shape, np.random.default_rng(seed))
    others = [generator(shape, np.random.default_rng(seed + k)) for k in range(1, 4)]
    assert torch.equal(first, again)
    assert any(not torch.equal(first, other) for other in others)


def test_tubes_refuse_2d() -> None:
    with pytest.raises(ValueError, match="3D"):
        build("tubes")((16, 16), np.random.default_rng(0))


def test_stripes_cut_across_the_requested_axis() -> None:
    holes = Stripes(StripeParams(axis=0, hole_ratio=[0.25, 0.25], period=[4, 4]))(
        (8, 16, 16), np.random.default_rng(3)
    )[0]
    slices = holes.flatten(1).amax(dim=1)
    assert torch.equal(holes, slices[:, None, None].expand_as(holes))  # whole slices missing
    assert int(slices.sum()) == 2  # 25 % of 8 slices, one per period of 4


def test_borders_touch_the_edge_and_leave_the_centre() -> None:
    for seed in range(10):
        holes = Borders(BorderParams(hole_ratio=[0.2, 0.3]))((32, 32), np.random.default_rng(seed))[
            0
        ]
        edge = torch.cat([holes[0], holes[-1], holes[:, 0], holes[:, -1]])
        assert edge.any()
        assert holes[16, 16] == 0


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"hole_ratio": [0.5, 0.2]}, "hole_ratio"),
        ({"hole_ratio": [0.0, 0.2]}, "hole_ratio"),
        ({"hole_ratio": [0.1, 1.0]}, "hole_ratio"),  # an all-hole mask leaves nothing to fill from
        ({"hole_ratio": [0.1]}, "hole_ratio"),
        ({"size": [0.5, 1.5]}, "size"),
    ],
)
def test_bad_ranges_are_refused_naming_the_key(params: dict[str, Any], key: str) -> None:
    with pytest.raises(InvalidParamError) as caught:
        MASK_GENERATORS.get("boxes").params_cls(**params)
    assert caught.value.key == key


def test_bad_stripe_period_and_axis_are_refused() -> None:
    with pytest.raises(InvalidParamError, match="period"):
        StripeParams(period=[1, 4])
    with pytest.raises(InvalidParamError, match="axis"):
        StripeParams(axis=3)
    with pytest.raises(ValueError, match="axis 2"):
        Stripes(StripeParams(axis=2))((16, 16), np.random.default_rng(0))
