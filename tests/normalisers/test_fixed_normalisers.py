"""Behaviour of the built-in normalisers: per-channel maths, validation, state.

The registry-wide round-trip and state tests are in ``tests/contracts/test_normaliser_contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch

import gan_engine.normalisers.histogram
import gan_engine.normalisers.statistics  # noqa: F401  (register the fitted normalisers)
from gan_engine.errors import InvalidParamError
from gan_engine.normalisers.scale import (
    FixedScaleNormaliser,
    FixedScaleParams,
    IdentityNormaliser,
    MinMaxNormaliser,
    MinMaxParams,
)
from gan_engine.types import BuildContext, Sample


def test_statistics_travel_in_state_dict() -> None:
    params = FixedScaleParams(scale=[2.0, 4.0, 8.0], offset=[1.0, 2.0, 3.0])
    trained = FixedScaleNormaliser(3, params)
    restored = FixedScaleNormaliser(3)  # default scale 255, offset 0
    restored.load_state_dict(trained.state_dict())
    x = torch.rand(1, 3, 2, 2, 2)
    torch.testing.assert_close(restored.normalise(x, "lr"), trained.normalise(x, "lr"))
    assert set(trained.state_dict()) == {"shift", "scale"}


def test_buffers_follow_to() -> None:
    normaliser = MinMaxNormaliser(2).to("meta")
    assert normaliser.shift.device.type == "meta"
    assert normaliser.scale.device.type == "meta"


def test_fixed_scale_formula_per_channel() -> None:
    normaliser = FixedScaleNormaliser(2, FixedScaleParams(scale=[2.0, 10.0], offset=[1.0, -5.0]))
    x = torch.tensor([[3.0, 5.0], [15.0, 25.0]]).view(1, 2, 1, 2)
    expected = torch.tensor([[1.0, 2.0], [2.0, 3.0]]).view(1, 2, 1, 2)
    torch.testing.assert_close(normaliser.normalise(x, "lr"), expected)


def test_fixed_scale_default_maps_8_bit_to_unit_range() -> None:
    x = torch.tensor([0.0, 255.0]).view(1, 1, 1, 2)
    y = FixedScaleNormaliser(1).normalise(x, "hr")
    torch.testing.assert_close(y, torch.tensor([0.0, 1.0]).view(1, 1, 1, 2))


@pytest.mark.parametrize("dims", [2, 3])
def test_minmax_maps_min_to_minus_one_and_max_to_one(dims: int) -> None:
    params = MinMaxParams(minimum=[0.0, 100.0, -3.0], maximum=[255.0, 4000.0, 5.0])
    normaliser = MinMaxNormaliser(3, params)
    shape = (1, 3) + (1,) * dims
    low = torch.tensor(params.minimum).view(shape)
    high = torch.tensor(params.maximum).view(shape)
    middle = (low + high) / 2
    torch.testing.assert_close(normaliser.normalise(low, "lr"), torch.full(shape, -1.0))
    torch.testing.assert_close(normaliser.normalise(high, "hr"), torch.full(shape, 1.0))
    torch.testing.assert_close(
        normaliser.normalise(middle, "hr"), torch.zeros(shape), atol=1e-6, rtol=0
    )


def test_minmax_zero_one_target() -> None:
    normaliser = MinMaxNormaliser(
        1, MinMaxParams(minimum=[10.0], maximum=[20.0], target="zero_one")
    )
    x = torch.tensor([10.0, 15.0, 20.0, 30.0]).view(1, 1, 1, 4)
    # No clipping: values outside [minimum, maximum] map outside [0, 1] and still invert.
    expected = torch.tensor([0.0, 0.5, 1.0, 2.0]).view(1, 1, 1, 4)
    torch.testing.assert_close(normaliser.normalise(x, "lr"), expected)


def test_identity_leaves_values() -> None:
    x = torch.rand(2, 4, 3, 3)
    assert torch.equal(IdentityNormaliser(4).normalise(x, "lr"), x)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (torch.uint8, torch.float32),
        (torch.bfloat16, torch.float32),
        (torch.float16, torch.float32),
        (torch.float64, torch.float64),
    ],
)
def test_computes_in_at_least_float32(dtype: torch.dtype, expected: torch.dtype) -> None:
    x = torch.full((1, 1, 2, 2), 51).to(dtype)
    y = FixedScaleNormaliser(1).normalise(x, "hr")
    assert y.dtype == expected
    torch.testing.assert_close(y, torch.full((1, 1, 2, 2), 0.2, dtype=expected))


def test_rejects_wrong_channel_count_and_branch() -> None:
    normaliser = FixedScaleNormaliser(3)
    with pytest.raises(ValueError, match="3 channels"):
        normaliser.normalise(torch.rand(1, 2, 4, 4), "lr")
    with pytest.raises(ValueError, match="branch"):
        normaliser.normalise(torch.rand(1, 3, 4, 4), "sr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shape"):
        normaliser.normalise(torch.rand(3, 4, 4), "lr")


def test_fit_is_a_no_op_that_consumes_nothing() -> None:
    class Exploding:
        def __iter__(self) -> Iterator[Sample]:
            raise AssertionError("fit must not iterate")

    normaliser = MinMaxNormaliser(1)
    before = {key: value.clone() for key, value in normaliser.state_dict().items()}
    normaliser.fit(Exploding())
    assert all(torch.equal(before[k], v) for k, v in normaliser.state_dict().items())


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: FixedScaleParams(scale=[0.0]), "scale.0"),
        (lambda: FixedScaleParams(scale=[1.0, -2.0]), "scale.1"),
        (lambda: FixedScaleParams(scale=[]), "scale"),
        (lambda: FixedScaleParams(offset=[float("nan")]), "offset.0"),
        (lambda: MinMaxParams(minimum=[0.0, 5.0], maximum=[1.0, 5.0]), "maximum.1"),
        (lambda: MinMaxParams(minimum=[0.0, 1.0], maximum=[1.0, 2.0, 3.0]), "maximum"),
        (lambda: MinMaxParams(target="zero_to_one"), "target"),  # type: ignore[arg-type]
    ],
)
def test_invalid_params_name_the_key(build: Any, key: str) -> None:
    with pytest.raises(InvalidParamError) as caught:
        build()
    assert caught.value.key == key


def test_channel_list_length_checked_against_context_and_constructor() -> None:
    params = FixedScaleParams(scale=[1.0, 2.0])
    errors = params.check(BuildContext(spatial_dims=2, channels=3, scale=4))
    assert [error.key for error in errors] == ["scale"]
    assert "expected 1 or 3 values" in errors[0].message
    assert params.check(BuildContext(spatial_dims=3, channels=2, scale=2)) == []
    with pytest.raises(InvalidParamError, match="expected 1 or 3 values"):
        FixedScaleNormaliser(3, params)
    minmax = MinMaxParams(minimum=[0.0, 0.0], maximum=[1.0])
    assert [e.key for e in minmax.check(BuildContext(spatial_dims=2, channels=4, scale=2))] == [
        "minimum"
    ]
    with pytest.raises(InvalidParamError):
        MinMaxNormaliser(4, minmax)
