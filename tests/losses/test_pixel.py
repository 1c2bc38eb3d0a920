"""Known values of the pixel losses, band weights and masks."""

from __future__ import annotations

import math

import pytest
import torch

from gan_engine.errors import InvalidParamError
from gan_engine.losses.pixel import (
    CharbonnierLoss,
    CharbonnierParams,
    HuberLoss,
    HuberParams,
    L1Loss,
    L2Loss,
    PixelParams,
)
from gan_engine.losses.reduction import weighted_mean
from gan_engine.protocols import LossContext
from gan_engine.types import BuildContext

NONE = LossContext()
# [1, 1, 2, 2]: differences 1, 2, 3, 4 against zeros
SR = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
HR = torch.zeros_like(SR)


def test_l1_l2() -> None:
    assert float(L1Loss()(SR, HR, NONE)) == pytest.approx(2.5)
    assert float(L2Loss()(SR, HR, NONE)) == pytest.approx(7.5)


def test_l1_in_3d() -> None:
    sr = torch.arange(8.0).reshape(1, 1, 2, 2, 2)
    assert float(L1Loss()(sr, torch.zeros_like(sr), NONE)) == pytest.approx(3.5)


def test_huber_quadratic_then_linear() -> None:
    # delta 1: 0.5·1², then 1·(d - 0.5) for d = 2, 3, 4
    expected = (0.5 + 1.5 + 2.5 + 3.5) / 4
    assert float(HuberLoss(HuberParams(delta=1.0))(SR, HR, NONE)) == pytest.approx(expected)
    # delta 10: all quadratic, half the L2
    assert float(HuberLoss(HuberParams(delta=10.0))(SR, HR, NONE)) == pytest.approx(7.5 / 2)


def test_charbonnier_is_smooth_l1_and_zero_at_identity() -> None:
    eps = 0.5
    loss = CharbonnierLoss(CharbonnierParams(eps=eps))
    expected = sum(math.sqrt(d * d + eps * eps) - eps for d in (1, 2, 3, 4)) / 4
    assert float(loss(SR, HR, NONE)) == pytest.approx(expected)
    assert float(loss(SR, SR, NONE)) == 0.0


def test_mask_excludes_pixels() -> None:
    mask = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])  # keeps differences 1 and 3
    assert float(L1Loss()(SR, HR, LossContext(mask=mask))) == pytest.approx(2.0)
    empty = LossContext(mask=torch.zeros_like(mask))
    assert float(L2Loss()(SR, HR, empty)) == 0.0


def test_band_weights() -> None:
    sr = (
        torch.tensor([1.0, 3.0]).reshape(1, 2, 1, 1).expand(1, 2, 2, 2)
    )  # band 0 off by 1, band 1 by 3
    hr = torch.zeros_like(sr)
    assert float(L1Loss()(sr, hr, NONE)) == pytest.approx(2.0)
    assert float(L1Loss(PixelParams(band_weights=[1.0, 1.0]))(sr, hr, NONE)) == pytest.approx(2.0)
    assert float(L1Loss(PixelParams(band_weights=[1.0, 0.0]))(sr, hr, NONE)) == pytest.approx(1.0)
    assert float(L1Loss(PixelParams(band_weights=[3.0, 1.0]))(sr, hr, NONE)) == pytest.approx(1.5)
    assert float(L1Loss(PixelParams(band_weights=[2.0]))(sr, hr, NONE)) == pytest.approx(2.0)
    weighted = L2Loss(PixelParams(band_weights=[0.0, 1.0]))(sr, hr, NONE)
    assert float(weighted) == pytest.approx(9.0)


def test_band_weights_with_a_per_band_mask() -> None:
    values = torch.tensor([1.0, 3.0]).reshape(1, 2, 1, 1).expand(1, 2, 1, 2)
    mask = torch.tensor([[[[1.0, 1.0]], [[1.0, 0.0]]]])  # band 1 has one valid pixel
    weights = torch.tensor([1.0, 2.0])
    # (1 + 1 + 2·3) / (1 + 1 + 2)
    assert float(weighted_mean(values, mask, weights)) == pytest.approx(2.0)


def test_band_weights_must_fit_the_bands() -> None:
    loss = L1Loss(PixelParams(band_weights=[1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="band_weights has 3 values but the input has 2 bands"):
        loss(torch.zeros(1, 2, 2, 2), torch.zeros(1, 2, 2, 2), NONE)
    problems = PixelParams(band_weights=[1.0, 2.0, 3.0]).check(BuildContext(2, 4, 2))
    assert [problem.key for problem in problems] == ["band_weights"]
    assert PixelParams(band_weights=[1.0]).check(BuildContext(2, 4, 2)) == []


@pytest.mark.parametrize(
    ("weights", "key"),
    [([-1.0, 1.0], "band_weights.0"), ([0.0, 0.0], "band_weights"), ([], "band_weights")],
)
def test_band_weights_validation(weights: list[float], key: str) -> None:
    with pytest.raises(InvalidParamError) as error:
        PixelParams(band_weights=weights)
    assert error.value.key == key


def test_invalid_scalars() -> None:
    with pytest.raises(InvalidParamError, match="delta"):
        HuberParams(delta=0.0)
    with pytest.raises(InvalidParamError, match="eps"):
        CharbonnierParams(eps=-1.0)


def test_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="same shape"):
        L1Loss()(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 3), NONE)


def test_band_weights_follow_the_device_but_not_the_checkpoint() -> None:
    loss = L1Loss(PixelParams(band_weights=[1.0, 2.0])).double()
    assert loss.band_weights is not None
    assert loss.band_weights.dtype == torch.float64
    assert loss.state_dict() == {}
