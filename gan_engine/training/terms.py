"""Weighted loss terms as the training module uses them."""

from __future__ import annotations

import attrs

from gan_engine.protocols import AdversarialLoss, Loss


@attrs.frozen
class LossTerm:
    """A loss with its weight and the name its values are logged under (``train/g_<name>``)."""

    name: str
    loss: Loss
    weight: float


@attrs.frozen
class AdversarialTerm:
    """The adversarial loss: the generator's weighted term and the discriminator's objective."""

    name: str
    loss: AdversarialLoss
    weight: float
