"""The two objectives of a GAN training step: the discriminator's loss and the generator's total.

Each returns ``(loss, values, logs)``: the scalar to backpropagate, the named values the non-finite
guard inspects (to name the term that went NaN), and the detached scalars to log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import torch
from torch import Tensor

from gan_engine.protocols import Discriminator, LossContext
from gan_engine.training.matching import matching_aware_discriminator_loss
from gan_engine.training.penalties import r1_penalty
from gan_engine.training.terms import AdversarialTerm, LossTerm, needs
from gan_engine.types import Conditioning

Objective = tuple[Tensor, dict[str, Tensor], dict[str, Tensor | float]]
"""``(loss, named values for the guard, logs)``."""

DiscriminatorView = Callable[[Tensor], tuple[Tensor, Conditioning | None]]
"""Maps an image (real or generated) to what the discriminator scores: ``(image, conditioning)``."""


def unconditioned(image: Tensor) -> tuple[Tensor, Conditioning | None]:
    """The view of unconditioned tasks: the image itself, no conditioning."""
    return image, None


def score(discriminator: Discriminator, view: DiscriminatorView, image: Tensor) -> Tensor:
    """The discriminator's logits for ``image`` as ``view`` presents it."""
    x, cond = view(image)
    # Unconditioned calls keep the one-argument form, which plugins written before ``cond`` accept.
    return discriminator(x) if cond is None else discriminator(x, cond)


def score_features(
    discriminator: Discriminator, view: DiscriminatorView, image: Tensor
) -> list[Tensor]:
    """The discriminator's features of ``image`` as ``view`` presents it."""
    x, cond = view(image)
    return discriminator.features(x) if cond is None else discriminator.features(x, cond)


def discriminator_objective(
    discriminator: Discriminator,
    term: AdversarialTerm,
    fake: Tensor,
    real: Tensor,
    r1_gamma: float,
    view: DiscriminatorView = unconditioned,
    pairs: MismatchedPairs | None = None,
) -> Objective:
    """The adversarial term's discriminator loss on ``real`` and detached ``fake``, plus γ/2 · R1.

    ``view`` (the task's) says what the discriminator sees of each image; R1 is taken with respect
    to the real image before the view. With ``pairs``, real images under swapped conditioning are
    labelled fake as well (the matching-aware term, :mod:`gan_engine.training.matching`).
    """
    if r1_gamma > 0:
        real = real.detach().requires_grad_(True)
    real_logits = score(discriminator, view, real)
    fake_logits = score(discriminator, view, fake)
    logs: dict[str, Tensor | float] = {}
    if pairs is not None and pairs.weight != 0.0:
        wrong_logits = score(discriminator, pairs.view, real)
        loss = matching_aware_discriminator_loss(
            term.loss, real_logits, fake_logits, wrong_logits, pairs.mismatched, pairs.weight
        )
        logs["train/d_mismatched_logit"] = wrong_logits.detach().mean()
    elif needs(term.loss, "holes"):
        # Losses with the mask as target (LaMa) also read where the generated image has holes.
        cond = view(fake)[1]
        holes = None if cond is None else cond.holes
        loss = term.loss.discriminator_loss(real_logits, fake_logits, holes)  # type: ignore[call-arg]
    else:
        loss = term.loss.discriminator_loss(real_logits, fake_logits)
    if r1_gamma > 0:
        penalty = r1_penalty(real, real_logits)
        logs["train/d_r1"] = penalty.detach()
        loss = loss + r1_gamma / 2 * penalty
    logs["train/d_loss"] = loss.detach()
    logs["train/d_real_logit"] = real_logits.detach().mean()
    logs["train/d_fake_logit"] = fake_logits.detach().mean()
    return loss, {"discriminator loss": loss}, logs


@attrs.frozen
class MismatchedPairs:
    """Real images shown with other samples' conditioning, for the matching-aware term.

    Attributes:
        view: what the discriminator sees of a real image under the swapped conditioning.
        mismatched: ``[B]`` bool, True where the swapped conditioning really is another sample's.
        weight: the term's weight ``w`` in ``(1 - w)·L_D(real, fake) + w·L_D(real, mismatched)``.
    """

    view: DiscriminatorView
    mismatched: Tensor
    weight: float


@attrs.frozen
class GeneratorInputs:
    """What the generator's objective is computed from (normalised tensors).

    Attributes:
        sr: the generator's output ``[B, C, *S']`` (with its graph).
        hr: the reference ``[B, C, *S']``.
        lr: the input ``[B, C, *S]``.
        mask: valid-pixel mask, if the batch has one.
        step: the generator step driving the terms' schedules.
        cond: the generator's conditioning, if the task has any.
        target_holes: the hole mask at the output's resolution, if the task has one.
        metadata: per-sample metadata, if the dataset gives any.
        view: what the discriminator sees of an image (the task's view).
    """

    sr: Tensor
    hr: Tensor
    lr: Tensor
    mask: Tensor | None
    step: int
    cond: Conditioning | None = None
    target_holes: Tensor | None = None
    metadata: Sequence[Mapping[str, Any]] | None = None
    view: DiscriminatorView = unconditioned


def loss_context(
    inputs: GeneratorInputs,
    discriminator: Discriminator | None,
    content_terms: Sequence[LossTerm],
    adversarial_term: AdversarialTerm | None,
) -> LossContext:
    """The loss context: masks, conditioning, metadata, and the discriminator's logits and features.

    ``adversarial_term`` is ``None`` while the adversarial loss is off (pretraining).
    """
    sr, hr = inputs.sr, inputs.hr
    view = inputs.view
    context = LossContext(
        step=inputs.step,
        lr=inputs.lr,
        mask=inputs.mask,
        cond=inputs.cond,
        target_holes=inputs.target_holes,
        metadata=inputs.metadata,
    )
    if discriminator is None:
        return context
    terms = [t.loss for t in content_terms]
    if adversarial_term is not None:
        terms.append(adversarial_term.loss)
        context.fake_logits = score(discriminator, view, sr)
        if needs(adversarial_term.loss, "real_logits"):
            with torch.no_grad():
                context.real_logits = score(discriminator, view, hr)
    if any(needs(loss, "features") for loss in terms):
        context.fake_features = score_features(discriminator, view, sr)
        with torch.no_grad():
            context.real_features = score_features(discriminator, view, hr)
    return context


def generator_objective(
    inputs: GeneratorInputs,
    discriminator: Discriminator | None,
    content_terms: Sequence[LossTerm],
    adversarial: tuple[AdversarialTerm, float] | None,
) -> Objective:
    """The weighted sum of the content terms and, when given, the adversarial term at its weight.

    Terms whose scheduled weight is 0 are not computed. ``values`` holds each unweighted term and the
    ``generator total``.
    """
    term = adversarial[0] if adversarial is not None else None
    context = loss_context(inputs, discriminator, content_terms, term)
    sr, hr = inputs.sr, inputs.hr
    logs: dict[str, Tensor | float] = {}
    values: dict[str, Tensor] = {}
    total = sr.new_zeros(())
    for content in content_terms:
        weight = content.weight_at(inputs.step)
        if weight == 0.0:
            continue  # switched off by its schedule: not even computed
        values[content.name] = content.loss(sr, hr, context)
        total = total + weight * values[content.name]
    if adversarial is not None:
        term, weight = adversarial
        values[term.name] = term.loss(sr, hr, context)
        logs["train/adversarial_weight"] = weight
        total = total + weight * values[term.name]
    logs.update({f"train/g_{name}": value.detach() for name, value in values.items()})
    logs["train/g_total"] = total.detach()
    values["generator total"] = total
    return total, values, logs
