"""Typed settings of the GAN training step (the spec's ``Training`` section)."""

from __future__ import annotations

from typing import Literal

import attrs

from gan_engine.params import at_least, in_range

Precision = Literal["32", "16-mixed", "bf16-mixed"]


@attrs.frozen
class OptimiserConfig:
    """One network's optimiser.

    Attributes:
        name: ``adam`` or ``adamw``.
        lr: learning rate.
        betas: Adam's moment decay rates.
        weight_decay: L2 penalty (decoupled for ``adamw``).
    """

    name: Literal["adam", "adamw"] = "adam"
    lr: float = attrs.field(default=1e-4, validator=in_range(0.0, 1.0, low_open=True))
    betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = attrs.field(default=0.0, validator=at_least(0.0))


@attrs.frozen
class GradientClipConfig:
    """Gradient clipping per network (``null`` leaves that network unclipped).

    Attributes:
        algorithm: ``norm`` clips the global L2 norm of the gradients; ``value`` clips each element.
        generator: threshold for the generator's gradients.
        discriminator: threshold for the discriminator's gradients.
    """

    algorithm: Literal["norm", "value"] = "norm"
    generator: float | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(in_range(0.0, float("inf"), low_open=True)),
    )
    discriminator: float | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(in_range(0.0, float("inf"), low_open=True)),
    )


@attrs.frozen
class TrainingConfig:
    """How the generator and discriminator are stepped.

    Step counts are generator steps (one per training batch), not Lightning's ``global_step``, which
    counts optimiser steps and so grows by two per adversarial batch.

    Attributes:
        precision: ``32``, ``16-mixed`` or ``bf16-mixed`` (bf16 also runs on CPU).
        seed: seed for weights, data order and augmentation.
        pretrain_steps: generator-only steps (content losses only) before the discriminator joins.
        d_update_interval: once adversarial, the discriminator is updated every this many batches.
        adversarial_ramp_steps: steps over which the adversarial weight ramps from 0 to its full value
            after pretraining (0: full weight at once).
        adversarial_ramp: shape of that ramp.
        generator_optimizer: the generator's optimiser.
        discriminator_optimizer: the discriminator's optimiser.
        channels_last: run networks in channels-last memory format (faster on modern CPUs and GPUs).
        gradient_clip: per-network gradient clipping, applied after unscaling under mixed precision.
        r1_gamma: weight ``γ`` of the R1 gradient penalty ``γ/2 · E‖∇D(x_real)‖²`` on the
            discriminator (0: off).
        check_finite: stop with an error naming the loss term when a loss becomes NaN or infinite
            (one host synchronisation per step).
    """

    precision: Precision = "32"
    seed: int = 0
    pretrain_steps: int = attrs.field(default=0, validator=at_least(0))
    d_update_interval: int = attrs.field(default=1, validator=at_least(1))
    adversarial_ramp_steps: int = attrs.field(default=0, validator=at_least(0))
    adversarial_ramp: Literal["linear", "cosine"] = "linear"
    generator_optimizer: OptimiserConfig = attrs.field(factory=OptimiserConfig)
    discriminator_optimizer: OptimiserConfig = attrs.field(factory=OptimiserConfig)
    channels_last: bool = False
    gradient_clip: GradientClipConfig = attrs.field(factory=GradientClipConfig)
    r1_gamma: float = attrs.field(default=0.0, validator=at_least(0.0))
    check_finite: bool = True
