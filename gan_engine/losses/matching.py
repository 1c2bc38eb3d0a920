"""The matching-aware adversarial term: a real image with another sample's prompt counts as fake.

With a text-conditioned discriminator, the plain objective lets it ignore the prompt. Reed et al.
(2016, "Generative Adversarial Text to Image Synthesis") add a third pair: real image, wrong prompt,
labelled fake, so the discriminator must judge whether image and prompt belong together. Wrong
prompts come from the batch itself, rolled by one. Used by text-conditioned tasks around any
:class:`~gan_engine.protocols.AdversarialLoss`.
"""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from gan_engine.protocols import AdversarialLoss
from gan_engine.types import Conditioning


def mismatched_prompts(cond: Conditioning) -> tuple[Conditioning, Tensor]:
    """The batch's prompts rolled by one sample, and which samples really got another prompt.

    Returns ``(rolled, mismatched[B])``: ``rolled`` holds sample ``i - 1``'s embedding, tokens and
    mask for sample ``i``; ``mismatched[i]`` is False where that prompt equals sample ``i``'s own
    (duplicate prompts, a batch of one), so such pairs are never labelled fake.
    """
    if cond.embedding is None:
        msg = "mismatched_prompts: the conditioning has no prompt embedding"
        raise ValueError(msg)
    embedding = cond.embedding.roll(1, 0)
    rolled = attrs.evolve(
        cond,
        embedding=embedding,
        tokens=None if cond.tokens is None else cond.tokens.roll(1, 0),
        token_mask=None if cond.token_mask is None else cond.token_mask.roll(1, 0),
    )
    assert rolled.embedding is not None
    differs = (rolled.embedding != cond.embedding).flatten(1).any(dim=1)
    if cond.tokens is not None and rolled.tokens is not None:
        same_shape = cond.tokens.shape == rolled.tokens.shape
        if same_shape:
            differs |= (rolled.tokens != cond.tokens).flatten(1).any(dim=1)
    return rolled, differs


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
    real images with :func:`mismatched_prompts`; samples whose ``mismatched`` flag is False are
    left out of the second term (all False: the plain objective).
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
