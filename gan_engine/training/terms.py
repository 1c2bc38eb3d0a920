"""Weighted, scheduled loss terms as the training module uses them."""

from __future__ import annotations

import attrs

from gan_engine.protocols import AdversarialLoss, Loss
from gan_engine.training.schedules import WeightSchedule


def needs(loss: object, what: str) -> bool:
    """Whether ``loss`` declares ``needs_<what> = True`` (``real_logits`` or ``features``).

    Losses that need more than ``sr``, ``hr`` and the discriminator's logits on ``sr`` say so with a
    class attribute; losses that do not declare one need nothing more.
    """
    return bool(getattr(loss, f"needs_{what}", False))


@attrs.frozen
class LossTerm:
    """A loss with its weight, schedule and the name it is logged under (``train/g_<name>``)."""

    name: str
    loss: Loss
    weight: float
    schedule: WeightSchedule = attrs.field(factory=WeightSchedule)

    def weight_at(self, step: int) -> float:
        """The effective weight at generator step ``step``."""
        return self.weight * self.schedule.factor(step)


@attrs.frozen
class AdversarialTerm:
    """The adversarial loss: the generator's weighted term and the discriminator's objective."""

    name: str
    loss: AdversarialLoss
    weight: float
    schedule: WeightSchedule = attrs.field(factory=WeightSchedule)

    def weight_at(self, step: int) -> float:
        """The term's own scheduled weight (before the trainer's adversarial ramp)."""
        return self.weight * self.schedule.factor(step)
