"""Adversarial losses, feature matching, R1 and the non-finite guard: known values and contracts."""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor

from gan_engine.errors import GanEngineError
from gan_engine.losses.adversarial import (
    BCEAdversarialLoss,
    BCEParams,
    HingeLoss,
    LeastSquaresLoss,
    RelativisticAverageLoss,
)
from gan_engine.losses.feature_matching import FeatureMatchingLoss
from gan_engine.losses.guard import NonFiniteLossError, check_finite
from gan_engine.losses.penalties import r1_penalty
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


def test_r1_penalty_of_a_linear_discriminator() -> None:
    weight = torch.tensor([1.0, -2.0, 3.0]).reshape(1, 3, 1, 1)
    images = torch.rand(4, 3, 2, 2).requires_grad_(True)
    logits = (images * weight).flatten(1).sum(dim=1, keepdim=True)
    penalty = r1_penalty(images, logits)
    # ∇ₓ D = weight at each of the 4 pixels: ‖∇‖² = 4 · (1 + 4 + 9)
    assert float(penalty) == pytest.approx(56.0)
    assert penalty.ndim == 0


def test_r1_penalty_trains_the_discriminator() -> None:
    conv = torch.nn.Conv2d(1, 1, 3, padding=1)
    images = torch.rand(2, 1, 6, 6).requires_grad_(True)
    logits = torch.tanh(conv(images)).mean(dim=(2, 3))
    r1_penalty(images, logits).backward()
    assert conv.weight.grad is not None
    assert conv.weight.grad.abs().sum() > 0


def test_r1_penalty_needs_grad_on_images() -> None:
    images = torch.rand(2, 1, 4, 4)
    with pytest.raises(ValueError, match="requires_grad_"):
        r1_penalty(images, images.mean(dim=(1, 2, 3)))


def test_check_finite_names_the_term_and_step() -> None:
    check_finite("l1", torch.tensor(1.0), step=3)
    with pytest.raises(NonFiniteLossError, match=r"^loss term 'ssim' is nan at step 12$") as error:
        check_finite("ssim", torch.tensor(float("nan")), step=12)
    assert isinstance(error.value, GanEngineError)
    assert error.value.term == "ssim"
    assert error.value.step == 12
    with pytest.raises(NonFiniteLossError, match=r"^loss term 'vgg' is inf$"):
        check_finite("vgg", torch.tensor(float("inf")))
    values = torch.tensor([1.0, float("nan"), float("-inf")])
    with pytest.raises(NonFiniteLossError, match=r"has 2 non-finite values \(nan, -inf\) of 3"):
        check_finite("sam", values, step=1)
