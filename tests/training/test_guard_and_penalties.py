"""R1 penalty and the non-finite guard: known values."""

from __future__ import annotations

import pytest
import torch

from gan_engine.errors import GanEngineError
from gan_engine.training.guard import NonFiniteLossError, check_finite
from gan_engine.training.penalties import r1_penalty


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
