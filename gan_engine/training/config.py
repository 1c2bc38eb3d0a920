"""Typed settings of the GAN training step (the spec's ``Training`` section)."""

from __future__ import annotations

from typing import Literal

import attrs

from gan_engine.errors import InvalidParamError
from gan_engine.hardware.precision import (
    LayoutSetting,
    PrecisionSetting,
    normalise_precision,
)
from gan_engine.params import at_least, in_range


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
class SchedulerConfig:
    """One network's learning-rate schedule, counted in that network's optimiser steps.

    The learning rate first rises linearly over ``warmup_steps`` (step ``s`` uses ``lr·(s+1)/warmup_steps``,
    so the first step is not wasted at 0 and step ``warmup_steps − 1`` uses the full rate), then follows
    ``name``:

    - ``none``: stays at the optimiser's ``lr``;
    - ``cosine``: decays along half a cosine from ``lr`` at the end of the warm-up to ``min_lr`` at step
      ``total_steps``, and stays there;
    - ``plateau``: is multiplied by ``factor`` (never below ``min_lr``) whenever the validation metric
      ``monitor`` has not improved by a relative ``threshold`` for more than ``patience`` validation runs
      (as ``torch.optim.lr_scheduler.ReduceLROnPlateau``); validation runs during the warm-up are ignored.

    Attributes:
        name: ``none``, ``cosine`` or ``plateau``.
        warmup_steps: optimiser steps of the linear warm-up (0: none).
        total_steps: ``cosine``: the step at which the rate reaches ``min_lr`` (warm-up included).
        min_lr: the lowest learning rate ``cosine`` and ``plateau`` reach (absolute, not a factor).
        monitor: ``plateau``: the logged validation metric to watch (e.g. ``val/psnr``).
        mode: ``plateau``: ``max`` when a higher ``monitor`` is better, ``min`` when lower is.
        factor: ``plateau``: the multiplier applied on a plateau, in ``(0, 1)``.
        patience: ``plateau``: validation runs without improvement tolerated before reducing.
        threshold: ``plateau``: relative change that counts as an improvement.
    """

    name: Literal["none", "cosine", "plateau"] = "none"
    warmup_steps: int = attrs.field(default=0, validator=at_least(0))
    total_steps: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(at_least(1))
    )
    min_lr: float = attrs.field(default=0.0, validator=at_least(0.0))
    monitor: str = "val/psnr"
    mode: Literal["min", "max"] = "max"
    factor: float = attrs.field(
        default=0.5, validator=in_range(0.0, 1.0, low_open=True, high_open=True)
    )
    patience: int = attrs.field(default=5, validator=at_least(0))
    threshold: float = attrs.field(default=1e-4, validator=at_least(0.0))

    def __attrs_post_init__(self) -> None:
        key = "total_steps"
        if self.name == "cosine" and self.total_steps is None:
            msg = "the cosine schedule needs total_steps, got null"
            raise InvalidParamError(key, msg)
        if self.total_steps is not None and self.total_steps <= self.warmup_steps:
            msg = f"must be > warmup_steps ({self.warmup_steps}), got {self.total_steps}"
            raise InvalidParamError(key, msg)


@attrs.frozen
class EMAConfig:
    """Exponential moving average of the generator's weights (the discriminator is never averaged).

    After each generator optimiser step ``k`` (counted from 1), the average ``θ̄`` follows the weights
    ``θ``: ``θ̄ ← d·θ̄ + (1 − d)·θ``. Until ``update_after_step`` it simply copies them. With ``warmup``,
    ``d = min(decay, (1 + n) / (10 + n))`` where ``n = k − update_after_step − 1``, so early averages do
    not drag in the random initialisation. Buffers (e.g. batch-norm statistics) are copied, not averaged.
    Validation, prediction and export use the averaged weights.

    Attributes:
        enabled: keep the average.
        decay: the decay ``d`` in ``[0, 1)``; 0.999 averages over about 1,000 steps.
        update_after_step: generator steps during which the average only copies the weights.
        warmup: ramp the decay up as above instead of using ``decay`` from the start.
    """

    enabled: bool = False
    decay: float = attrs.field(default=0.999, validator=in_range(0.0, 1.0, high_open=True))
    update_after_step: int = attrs.field(default=0, validator=at_least(0))
    warmup: bool = True


@attrs.frozen
class NonFiniteConfig:
    """What happens when a loss (or, outside ``16-mixed``, a gradient) becomes NaN or infinite.

    Attributes:
        policy: ``stop`` raises :class:`~gan_engine.training.guard.NonFiniteLossError` naming the term
            before any weight changes; ``skip`` drops that update (no optimiser step, gradients zeroed),
            counts it (logged as ``train/skipped_steps``) and raises the same error once one network has
            had ``max_consecutive`` updates skipped in a row.
        max_consecutive: consecutive skipped updates of one network tolerated by ``skip``.
        check: when the host looks at the finiteness flags. ``when_logging`` (default) keeps them on
            the device and reads them every ``Trainer.log_every_n_steps`` batches, at the end of each
            epoch and before each checkpoint, so steps never wait for the accelerator; meanwhile a
            non-finite update is skipped on the device (the fused optimiser's ``found_inf``) and still
            counts as a step. ``every_step`` reads them at every update (one host synchronisation
            each) and stops or skips before the step; it is also what optimisers without a fused
            kernel get outside ``16-mixed`` (whose gradient scaler skips on the device).
    """

    policy: Literal["stop", "skip"] = "stop"
    max_consecutive: int = attrs.field(default=10, validator=at_least(1))
    check: Literal["when_logging", "every_step"] = "when_logging"


@attrs.frozen
class TrainingConfig:
    """How the generator and discriminator are stepped.

    Step counts are generator steps (generator optimiser steps: one per training batch, one per
    ``accumulate_batches`` batches when accumulating), not Lightning's ``global_step``, which counts every
    optimiser step and so grows by two per adversarial batch: ``Trainer.max_steps: 1000`` stops after
    about 500 adversarial batches. Use ``max_generator_steps`` to stop after a number of generator steps.

    Attributes:
        precision: ``auto`` (default), ``32``, ``16-mixed`` or ``bf16-mixed`` (bf16 also runs on
            CPU); Lightning's ``32``, ``16``, ``'16'`` and ``bf16`` are accepted and normalised.
            ``auto`` is resolved once at start from the device the Trainer uses
            (:mod:`gan_engine.hardware`): ``bf16-mixed`` on CPUs with native bf16 (AVX512_BF16, AMX)
            and CUDA GPUs from compute capability 8.0, ``16-mixed`` on older CUDA GPUs, ``32``
            elsewhere (AVX2 CPUs emulate bf16, slower than fp32). The run's ``spec.yaml`` records the
            resolved value.
        seed: seed for weights, data order and augmentation.
        pretrain_steps: generator-only steps (content losses only) before the discriminator joins.
        d_update_interval: once adversarial, the discriminator is updated every this many generator
            steps (not batches: with ``accumulate_batches`` > 1 a generator step spans several).
        adversarial_ramp_steps: steps over which the adversarial weight ramps from 0 to its full value
            after pretraining (0: full weight at once).
        adversarial_ramp: shape of that ramp.
        generator_optimizer: the generator's optimiser.
        discriminator_optimizer: the discriminator's optimiser.
        channels_last: run networks in channels-last memory format (``true``/``false``), or
            ``auto`` (default): resolved at start like ``precision``: on for CPUs with native bf16
            (up to 1.25x faster steps) and CUDA GPUs with tensor cores, off on AVX2 CPUs (fp32
            channels-last convolutions about 3x slower there) and MPS; on AVX-512 CPUs without
            native bf16 and non-x86 CPUs a short timed probe of the run's own generator decides
            (BENCHMARKS.md). Every built-in network supports both layouts.
        hardware_probe: allow that probe (a few hundred ms, cached per machine and torch version
            under the user cache folder); ``false`` (or ``gan-engine train --no-probe``) uses the
            instruction set's default layout instead.
        gradient_clip: per-network gradient clipping, applied after unscaling under mixed precision.
        r1_gamma: weight ``γ`` of the R1 gradient penalty ``γ/2 · E‖∇D(x_real)‖²`` on the
            discriminator (0: off).
        check_finite: watch for NaN or infinite losses and gradients; what happens then, and when
            the host looks, is ``nonfinite``'s policy. ``false`` turns the guard off.
        nonfinite: the policy on a NaN or infinite loss: stop at once, or skip a bounded number of updates.
        generator_scheduler: the generator's learning-rate schedule (warm-up, then none, cosine or plateau).
        discriminator_scheduler: the discriminator's learning-rate schedule.
        accumulate_batches: accumulate gradients over this many batches per optimiser step (losses are
            scaled by ``1/N``); counters and schedules count optimiser steps. The last batches of an epoch
            step with what they have, as Lightning does.
        ema: generator-only exponential moving average used for validation, prediction and export.
        max_generator_steps: stop training after this many generator steps (``null``: no limit beyond
            the Trainer's own).
        compile: ``torch.compile`` the generator and the discriminator in place (state-dict keys
            unchanged); the first steps are slower while it compiles.
    """

    precision: PrecisionSetting = attrs.field(default="auto", converter=normalise_precision)
    seed: int = 0
    pretrain_steps: int = attrs.field(default=0, validator=at_least(0))
    d_update_interval: int = attrs.field(default=1, validator=at_least(1))
    adversarial_ramp_steps: int = attrs.field(default=0, validator=at_least(0))
    adversarial_ramp: Literal["linear", "cosine"] = "linear"
    generator_optimizer: OptimiserConfig = attrs.field(factory=OptimiserConfig)
    discriminator_optimizer: OptimiserConfig = attrs.field(factory=OptimiserConfig)
    channels_last: LayoutSetting = "auto"
    hardware_probe: bool = True
    gradient_clip: GradientClipConfig = attrs.field(factory=GradientClipConfig)
    r1_gamma: float = attrs.field(default=0.0, validator=at_least(0.0))
    check_finite: bool = True
    nonfinite: NonFiniteConfig = attrs.field(factory=NonFiniteConfig)
    generator_scheduler: SchedulerConfig = attrs.field(factory=SchedulerConfig)
    discriminator_scheduler: SchedulerConfig = attrs.field(factory=SchedulerConfig)
    accumulate_batches: int = attrs.field(default=1, validator=at_least(1))
    ema: EMAConfig = attrs.field(factory=EMAConfig)
    max_generator_steps: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(at_least(1))
    )
    compile: bool = False

    def __attrs_post_init__(self) -> None:
        layout: object = self.channels_last  # the Python API passes anything
        if not (isinstance(layout, bool) or layout == "auto"):
            key, msg = (
                "channels_last",
                f"expected true, false or 'auto', got {self.channels_last!r}",
            )
            raise InvalidParamError(key, msg)
        pairs = (
            ("generator", self.generator_scheduler, self.generator_optimizer),
            ("discriminator", self.discriminator_scheduler, self.discriminator_optimizer),
        )
        for network, scheduler, optimiser in pairs:
            if scheduler.name != "none" and scheduler.min_lr > optimiser.lr:
                key = f"{network}_scheduler.min_lr"
                msg = f"must be <= {network}_optimizer.lr ({optimiser.lr}), got {scheduler.min_lr}"
                raise InvalidParamError(key, msg)
