"""The matching-aware discriminator term: a real image with another sample's prompt counts as fake.

With a text-conditioned discriminator, the plain objective lets it ignore the prompt. Reed et al.
(2016, "Generative Adversarial Text to Image Synthesis") add a third pair: real image, wrong prompt,
labelled fake, so the discriminator must judge whether image and prompt belong together. The wrong
prompts come from the batch itself (:class:`~gan_engine.protocols.ConditionSwapping`); this works
around any :class:`~gan_engine.protocols.AdversarialLoss`.
"""

from __future__ import annotations

import torch
from torch import Tensor

from gan_engine.protocols import AdversarialLoss


def matching_aware_discriminator_loss(
    adversarial: AdversarialLoss,
    real_logits: Tensor,
    fake_logits: Tensor,
    mismatched_logits: Tensor,
    mismatched: Tensor,
    weight: float = 0.5,
) -> Tensor:
    """``(1 - w)·L_D(real, fake) + w·L_D(real, real-with-wrong-prompt)`` over the mismatched samples.

    With ``bce`` and ``w = 0.5`` this is Reed et al.'s objective: real/right → 1, and half each for
    fake/right → 0 and real/wrong → 0. ``mismatched_logits`` are the discriminator's logits on the
    real images with another sample's prompt; samples whose ``mismatched`` flag is False are left
    out of the second term (all False: the plain objective).
    """
    if not 0.0 <= weight <= 1.0:
        msg = f"matching-aware weight must be in [0, 1], got {weight}"
        raise ValueError(msg)
    plain = adversarial.discriminator_loss(real_logits, fake_logits)
    if weight == 0.0 or not bool(mismatched.any()):
        return plain
    chosen = torch.nonzero(mismatched).flatten()
    wrong = adversarial.discriminator_loss(real_logits[chosen], mismatched_logits[chosen])
    return (1.0 - weight) * plain + weight * wrong
