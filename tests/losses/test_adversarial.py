"""Adversarial losses and feature matching: known values and contracts."""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor

from gan_engine.losses.adversarial import (
    BCEAdversarialLoss,
    BCEParams,
    HingeLoss,
    LeastSquaresLoss,
    RelativisticAverageLoss,
)
from gan_engine.losses.feature_matching import FeatureMatchingLoss
from gan_engine.protocols import AdversarialLoss, Loss, LossContext

IMAGES = torch.zeros(2, 1, 4, 4)
REAL = torch.tensor([[1.0], [3.0]])
FAKE = torch.tensor([[0.0], [2.0]])


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


def generator_side(loss: Loss, fake: Tensor, real: Tensor | None = None) -> float:
    return float(loss(IMAGES, IMAGES, LossContext(fake_logits=fake, real_logits=real)))


def test_bce() -> None:
    loss = BCEAdversarialLoss()
    assert generator_side(loss, torch.zeros(2, 1)) == pytest.approx(math.log(2))
    # D: BCE(real, 0.9) + BCE(fake, 0) at logits 0: 2·log 2 whatever the smoothing
    assert float(BCEAdversarialLoss(BCEParams(0.1)).discriminator_loss(FAKE * 0, FAKE * 0)) == (
        pytest.approx(2 * math.log(2))
    )


def test_relativistic_average() -> None:
    loss = RelativisticAverageLoss()
    # mean(real) = 2, mean(fake) = 1: Δr = real - 1 = (0, 2), Δf = fake - 2 = (-2, 0)
    d_expected = 0.5 * (
        (softplus(-0.0) + softplus(-2.0)) / 2 + (softplus(-2.0) + softplus(0.0)) / 2
    )
    g_expected = 0.5 * ((softplus(0.0) + softplus(2.0)) / 2 + (softplus(2.0) + softplus(-0.0)) / 2)
    assert float(loss.discriminator_loss(REAL, FAKE)) == pytest.approx(d_expected)
    assert generator_side(loss, FAKE, REAL) == pytest.approx(g_expected)


def test_relativistic_needs_and_detaches_real_logits() -> None:
    loss = RelativisticAverageLoss()
    assert loss.needs_real_logits is True
    for other in (BCEAdversarialLoss(), HingeLoss(), LeastSquaresLoss()):
        assert other.needs_real_logits is False
    with pytest.raises(ValueError, match="real_logits"):
        generator_side(loss, FAKE)
    real = REAL.clone().requires_grad_(True)
    fake = FAKE.clone().requires_grad_(True)
    loss(IMAGES, IMAGES, LossContext(fake_logits=fake, real_logits=real)).backward()
    assert real.grad is None
    assert fake.grad is not None


def test_hinge() -> None:
    real, fake = torch.tensor([0.5, 2.0]), torch.tensor([-2.0, 0.0])
    assert float(HingeLoss().discriminator_loss(real, fake)) == pytest.approx(0.25 + 0.5)
    assert generator_side(HingeLoss(), fake) == pytest.approx(1.0)


def test_lsgan() -> None:
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    assert float(LeastSquaresLoss().discriminator_loss(real, fake)) == pytest.approx(0.5)
    assert generator_side(LeastSquaresLoss(), fake) == pytest.approx(0.25)


@pytest.mark.parametrize(
    "loss", [BCEAdversarialLoss(), RelativisticAverageLoss(), HingeLoss(), LeastSquaresLoss()]
)
def test_adversarial_losses_need_fake_logits(loss: Loss) -> None:
    assert isinstance(loss, AdversarialLoss)
    with pytest.raises(ValueError, match="fake_logits"):
        loss(IMAGES, IMAGES, LossContext(real_logits=REAL))


def test_patch_logits_are_averaged() -> None:
    patch = torch.zeros(2, 1, 3, 3)
    assert generator_side(LeastSquaresLoss(), patch) == pytest.approx(0.5)


def test_feature_matching() -> None:
    loss = FeatureMatchingLoss()
    assert loss.needs_features is True
    assert not isinstance(loss, AdversarialLoss)
    fake = [torch.ones(1, 2, 4, 4, requires_grad=True), torch.full((1, 3, 2, 2), 3.0)]
    real = [torch.zeros(1, 2, 4, 4, requires_grad=True), torch.ones(1, 3, 2, 2)]
    value = loss(IMAGES, IMAGES, LossContext(fake_features=fake, real_features=real))
    assert float(value.detach()) == pytest.approx((1.0 + 2.0) / 2)
    value.backward()
    assert fake[0].grad is not None
    assert real[0].grad is None
    with pytest.raises(ValueError, match="fake_features"):
        loss(IMAGES, IMAGES, LossContext())
    with pytest.raises(ValueError, match="layer 0 shapes differ"):
        loss(IMAGES, IMAGES, LossContext(fake_features=fake[:1], real_features=real[1:]))
