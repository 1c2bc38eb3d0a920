"""Adversarial losses: the generator's term and the discriminator's objective in one object.

Each class is an :class:`~gan_engine.protocols.AdversarialLoss` working on raw logits of any shape
(``[B, 1]`` global or ``[B, 1, *S']`` patch), in 2D and 3D alike. ``__call__(sr, hr, context)`` is the
generator's side and reads ``context.fake_logits`` (discriminator logits on ``sr``);
``discriminator_loss(real_logits, fake_logits)`` is the discriminator's.

The class attribute ``needs_real_logits`` tells the trainer whether the generator's side also reads
``context.real_logits`` (``D(hr)``), which costs an extra discriminator forward per generator step:
only the relativistic loss needs it.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.params import in_range
from gan_engine.protocols import LossContext
from gan_engine.registry import NoParams, register_loss


def _fake_logits(name: str, context: LossContext) -> Tensor:
    if context.fake_logits is None:
        msg = f"{name}: the generator's adversarial term needs context.fake_logits (logits on sr)"
        raise ValueError(msg)
    return context.fake_logits


@attrs.frozen
class BCEParams:
    """Parameters of the BCE-with-logits adversarial losses.

    Attributes:
        label_smoothing: the discriminator's target for real images is ``1 - label_smoothing``
            (one-sided smoothing, Salimans et al. 2016).
    """

    label_smoothing: float = attrs.field(default=0.0, validator=in_range(0.0, 0.5, high_open=True))


@register_loss("bce", params=BCEParams)
class BCEAdversarialLoss(nn.Module):
    """Standard (non-saturating) GAN loss on raw logits of any shape ``[B, 1, ...]``."""

    name = "bce"
    needs_real_logits: ClassVar[bool] = False

    def __init__(self, params: BCEParams | None = None) -> None:
        super().__init__()
        self.params = params or BCEParams()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Generator side: push the discriminator's logits on ``sr`` towards "real"."""
        logits = _fake_logits(self.name, context)
        return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))

    def discriminator_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        """Discriminator side: real towards ``1 - label_smoothing``, generated towards 0."""
        real_target = torch.full_like(real_logits, 1.0 - self.params.label_smoothing)
        real = F.binary_cross_entropy_with_logits(real_logits, real_target)
        fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        return real + fake


@register_loss("relativistic", params=BCEParams)
class RelativisticAverageLoss(nn.Module):
    """Relativistic average GAN loss (Jolicoeur-Martineau 2018), as in ESRGAN (Wang et al. 2018).

    The discriminator judges whether real data is *more realistic than the average fake* and vice
    versa: with ``Δr = real - mean(fake)`` and ``Δf = fake - mean(real)`` (means over the whole batch
    and every patch position), ``L_D = ½ [BCE(Δr, 1 - label_smoothing) + BCE(Δf, 0)]`` and
    ``L_G = ½ [BCE(Δr, 0) + BCE(Δf, 1)]``. The generator's side therefore needs
    ``context.real_logits`` (``needs_real_logits = True``); they are detached there, since the
    generator step does not train the discriminator.
    """

    name = "relativistic"
    needs_real_logits: ClassVar[bool] = True

    def __init__(self, params: BCEParams | None = None) -> None:
        super().__init__()
        self.params = params or BCEParams()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Generator side: generated more realistic than the average real, real less than fakes."""
        fake = _fake_logits(self.name, context)
        if context.real_logits is None:
            msg = (
                "relativistic: the generator's term needs context.real_logits (D(hr)) as well; "
                "the trainer computes them when the loss has needs_real_logits = True"
            )
            raise ValueError(msg)
        real = context.real_logits.detach()
        real_rel = real - fake.mean()
        fake_rel = fake - real.mean()
        real_term = F.binary_cross_entropy_with_logits(real_rel, torch.zeros_like(real_rel))
        fake_term = F.binary_cross_entropy_with_logits(fake_rel, torch.ones_like(fake_rel))
        return 0.5 * (real_term + fake_term)

    def discriminator_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        """Discriminator side: real more realistic than the average fake, and vice versa."""
        real_rel = real_logits - fake_logits.mean()
        fake_rel = fake_logits - real_logits.mean()
        real_target = torch.full_like(real_rel, 1.0 - self.params.label_smoothing)
        real_term = F.binary_cross_entropy_with_logits(real_rel, real_target)
        fake_term = F.binary_cross_entropy_with_logits(fake_rel, torch.zeros_like(fake_rel))
        return 0.5 * (real_term + fake_term)


@register_loss("hinge", params=NoParams)
class HingeLoss(nn.Module):
    """Hinge GAN loss (Lim & Ye 2017; SAGAN, BigGAN) on raw logits.

    ``L_D = mean(relu(1 - real)) + mean(relu(1 + fake))``, ``L_G = -mean(fake)``. The generator's
    term is unbounded below (it can be negative).
    """

    name = "hinge"
    needs_real_logits: ClassVar[bool] = False

    def __init__(self, params: NoParams | None = None) -> None:
        super().__init__()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Generator side: raise the discriminator's logits on ``sr``."""
        return -_fake_logits(self.name, context).mean()

    def discriminator_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        """Discriminator side: real logits above +1, generated below -1."""
        return F.relu(1.0 - real_logits).mean() + F.relu(1.0 + fake_logits).mean()


@register_loss("lsgan", params=NoParams)
class LeastSquaresLoss(nn.Module):
    """Least-squares GAN loss (Mao et al. 2017) with targets real = 1, fake = 0, on raw outputs.

    ``L_D = ½ mean((real - 1)²) + ½ mean(fake²)``, ``L_G = ½ mean((fake - 1)²)``.
    """

    name = "lsgan"
    needs_real_logits: ClassVar[bool] = False

    def __init__(self, params: NoParams | None = None) -> None:
        super().__init__()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Generator side: pull the discriminator's outputs on ``sr`` towards 1."""
        return 0.5 * (_fake_logits(self.name, context) - 1.0).square().mean()

    def discriminator_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        """Discriminator side: real outputs towards 1, generated towards 0."""
        return 0.5 * (real_logits - 1.0).square().mean() + 0.5 * fake_logits.square().mean()
