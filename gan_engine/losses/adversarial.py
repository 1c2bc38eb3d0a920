"""Adversarial losses: the generator's term and the discriminator's objective in one object."""

from __future__ import annotations

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.params import in_range
from gan_engine.protocols import LossContext
from gan_engine.registry import register_loss


@attrs.frozen
class BCEParams:
    """Parameters of the BCE-with-logits adversarial loss.

    Attributes:
        label_smoothing: the discriminator's target for real images is ``1 - label_smoothing``
            (one-sided smoothing, Salimans et al. 2016).
    """

    label_smoothing: float = attrs.field(default=0.0, validator=in_range(0.0, 0.5, high_open=True))


@register_loss("bce", params=BCEParams)
class BCEAdversarialLoss(nn.Module):
    """Standard (non-saturating) GAN loss on raw logits of any shape ``[B, 1, ...]``."""

    name = "bce"

    def __init__(self, params: BCEParams | None = None) -> None:
        super().__init__()
        self.params = params or BCEParams()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Generator side: push the discriminator's logits on ``sr`` towards "real"."""
        if context.fake_logits is None:
            msg = "bce: the generator's adversarial term needs context.fake_logits (logits on sr)"
            raise ValueError(msg)
        logits = context.fake_logits
        return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))

    def discriminator_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        """Discriminator side: real towards ``1 - label_smoothing``, generated towards 0."""
        real_target = torch.full_like(real_logits, 1.0 - self.params.label_smoothing)
        real = F.binary_cross_entropy_with_logits(real_logits, real_target)
        fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        return real + fake
