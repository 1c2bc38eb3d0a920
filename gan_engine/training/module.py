"""The GAN LightningModule: receives its parts (the task included), never builds them.

What differs between tasks (what a batch means, how the networks are called, what validation reports)
is the injected :class:`~gan_engine.protocols.Task`'s; optimisation, schedules, EMA, the non-finite
guard, resume and checkpoints are this one engine's for every task.

Manual optimisation (Lightning 2 refuses automatic optimisation with two optimisers): each accumulation
cycle (``accumulate_batches`` training batches, one by default) makes at most one discriminator step
(every ``d_update_interval`` generator steps once adversarial) and one generator step. The module keeps
its own counters (``generator_steps``, ``discriminator_steps``, ``batches_seen``) for every schedule,
because ``trainer.global_step`` counts optimiser steps and so grows by two per adversarial batch.

Checkpoints hold the raw generator under ``state_dict["generator.*"]`` and, under
``checkpoint["gan_engine"]``: ``spec`` (the resolved run spec), ``task`` (the task's name), the
counters, ``nonfinite`` (skip counts), ``rng`` (torch/NumPy/Python generator states) and, with EMA,
``ema_generator`` (the averaged generator's state dict, unprefixed). Everything is plain data:
checkpoints load with ``weights_only=True``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import lightning.pytorch as pl
from lightning.pytorch.utilities.types import OptimizerLRSchedulerConfig
from torch import Tensor, nn
from torch.optim import Optimizer

from gan_engine.nn.inference_forms import prepare_inference
from gan_engine.nn.layers import channels_last_format
from gan_engine.protocols import (
    ConditioningNormaliser,
    ConditionSwapping,
    Discriminator,
    Generator,
    Normaliser,
    Task,
    TaskBatch,
    TaskValidation,
    ValidationMetric,
)
from gan_engine.registry import TASKS, NoParams
from gan_engine.training.callbacks.ema_swap import EMASwap
from gan_engine.training.callbacks.plateau import PlateauStep
from gan_engine.training.checkpoint_io import CheckpointFormatError
from gan_engine.training.config import TrainingConfig
from gan_engine.training.ema import GeneratorEMA
from gan_engine.training.guard import NonFiniteGuard
from gan_engine.training.lr_schedules import NetworkLR
from gan_engine.training.objectives import (
    GeneratorInputs,
    MismatchedPairs,
    discriminator_objective,
    generator_objective,
)
from gan_engine.training.optimisers import optimiser_with_schedule
from gan_engine.training.rng import capture_rng_state, restore_rng_state
from gan_engine.training.schedules import ramp
from gan_engine.training.terms import AdversarialTerm, LossTerm, needs
from gan_engine.training.updates import GuardedUpdates
from gan_engine.types import Conditioning, Sample, spatial_dims_of

CHECKPOINT_KEY = "gan_engine"
"""Key under which checkpoints hold the resolved spec, the counters, RNG states and the EMA generator."""

DEFAULT_TASK = "super_resolution"
"""The task of a module built without one (and of checkpoints written before tasks existed)."""


def _require_module(component: object, role: str) -> nn.Module:
    if not isinstance(component, nn.Module):
        msg = f"the {role} must be a torch.nn.Module, got {type(component).__qualname__}"
        raise TypeError(msg)
    return component


def default_task(generator: Generator) -> Task:
    """The super-resolution task for ``generator``'s dims, channels and scale (from the registry)."""
    return TASKS.get(DEFAULT_TASK).factory(
        spatial_dims=generator.spatial_dims,
        channels=generator.out_channels,
        scale=generator.scale,
        params=NoParams(),
    )


class GANModule(pl.LightningModule):
    """Trains a generator (and optionally a discriminator) for the task it is given.

    Batches are :class:`~gan_engine.types.Sample` dicts in sensor units; the task turns them into
    normalised inputs, target and conditioning, runs the generator, says what the discriminator sees
    and computes validation metrics (super-resolution: PSNR/SSIM/SAM of the model and of the
    bicubic/trilinear baseline, logged as ``val/psnr``, ``val/psnr_bicubic``, …).

    Args:
        generator: the generator network.
        discriminator: the adversary; ``None`` trains with content losses only.
        content_terms: weighted content losses (pixel, perceptual, …).
        adversarial_term: the adversarial loss; required exactly when there is a discriminator.
        normaliser: converts sensor values to network range and back.
        config: optimisers, pretraining, cadence and ramp.
        data_range: width of the valid value range in sensor units (255 for 8-bit photos).
        spec: the resolved run spec, stored in checkpoints so they alone can rebuild the model.
        task: what a batch means and what validation reports; ``None`` is super-resolution.
        conditioning: normalises the batch's conditioning embeddings before the task reads them.
        metrics: opt-in validation metrics by the name they are logged under (LPIPS, DISTS, FID,
            KID); each scores the task's ``prediction`` and ``baselines`` against its
            ``reference`` over the whole validation run, logged as ``val/<name>`` and
            ``val/<name>_<baseline>``. Held outside the module's state: never checkpointed.
    """

    def __init__(
        self,
        *,
        generator: Generator,
        discriminator: Discriminator | None,
        content_terms: Sequence[LossTerm],
        adversarial_term: AdversarialTerm | None,
        normaliser: Normaliser,
        config: TrainingConfig,
        data_range: float,
        spec: Mapping[str, Any] | None = None,
        task: Task | None = None,
        conditioning: ConditioningNormaliser | None = None,
        metrics: Mapping[str, ValidationMetric] | None = None,
    ) -> None:
        super().__init__()
        if (discriminator is None) != (adversarial_term is None):
            msg = "a discriminator and an adversarial loss term go together: give both or neither"
            raise ValueError(msg)
        if not content_terms and adversarial_term is None:
            msg = "at least one loss term is needed"
            raise ValueError(msg)
        if discriminator is None and any(needs(t.loss, "features") for t in content_terms):
            msg = "a loss term needs discriminator features, but there is no discriminator"
            raise ValueError(msg)
        self.automatic_optimization = False
        self.generator = _require_module(generator, "generator")
        self.discriminator = (
            None if discriminator is None else _require_module(discriminator, "discriminator")
        )
        self.normaliser = _require_module(normaliser, "normaliser")
        # Protocol-typed views of the same objects, kept out of ``_modules`` (a plain attribute holding a
        # module would register it twice, duplicating ``generator.*`` as ``_g.*`` in checkpoints).
        object.__setattr__(self, "_g", generator)
        object.__setattr__(self, "_d", discriminator)
        object.__setattr__(self, "_norm", normaliser)
        self.content_terms = tuple(content_terms)
        self.adversarial_term = adversarial_term
        # Registered so loss buffers (e.g. backbones' input statistics) follow the module's device.
        self.losses = nn.ModuleList(
            term.loss for term in self._all_terms() if isinstance(term.loss, nn.Module)
        )
        self.config = config
        self.data_range = data_range
        self.spec = dict(spec) if spec is not None else None
        self.task = task if task is not None else default_task(generator)
        self.conditioning = conditioning
        # a plain dict of plain objects: their networks stay out of ``state_dict`` and checkpoints
        self.validation_metrics: dict[str, ValidationMetric] = dict(metrics or {})
        self.generator_steps = 0
        self.discriminator_steps = 0
        self.batches_seen = 0
        self.guard = NonFiniteGuard(config.nonfinite.policy, config.nonfinite.max_consecutive)
        self.ema = GeneratorEMA(config.ema) if config.ema.enabled else None
        self.updates = GuardedUpdates(config, self.guard)
        self._pending_rng: dict[str, Any] | None = None
        self._configured = False

    _g: Generator
    _d: Discriminator | None
    _norm: Normaliser

    def _all_terms(self) -> list[LossTerm | AdversarialTerm]:
        terms: list[LossTerm | AdversarialTerm] = list(self.content_terms)
        if self.adversarial_term is not None:
            terms.append(self.adversarial_term)
        return terms

    def forward(self, lr: Tensor) -> Tensor:
        """Super-resolve a normalised batch ``[B, C, *S]``."""
        return self._g(self._memory_format(lr))

    def configure_optimizers(self) -> list[OptimizerLRSchedulerConfig]:
        """The generator's optimiser and schedule, then the discriminator's when there is one.

        Schedules are stepped by the module (manual optimisation); they are returned so Lightning
        checkpoints them and ``LearningRateMonitor`` logs them as ``lr-generator``/``lr-discriminator``.
        """
        config = self.config
        # A fused optimiser unscales 16-mixed gradients inside its step: too late to clip them.
        clip = config.gradient_clip
        fp16 = self._trainer is not None and self.trainer.precision == "16-mixed"
        configs = [
            optimiser_with_schedule(
                "generator",
                self._generator_side(),
                config.generator_optimizer,
                config.generator_scheduler,
                fused=not (fp16 and clip.generator is not None),
            )
        ]
        if self.discriminator is not None:
            configs.append(
                optimiser_with_schedule(
                    "discriminator",
                    self.discriminator,
                    config.discriminator_optimizer,
                    config.discriminator_scheduler,
                    fused=not (fp16 and clip.discriminator is not None),
                )
            )
        return configs

    def _generator_side(self) -> nn.Module:
        """What the generator's optimiser trains: the generator, and a task's own parameters.

        A task with parameters (e.g. a trainable text encoder) is a registered submodule, so its
        weights are checkpointed with the module's; it trains alongside the generator.
        """
        if isinstance(self.task, nn.Module) and any(True for _ in self.task.parameters()):
            return nn.ModuleList([self.generator, self.task])
        return self.generator

    def configure_callbacks(self) -> list[pl.Callback]:
        """The EMA swap (validation/prediction with averaged weights) and plateau stepping, as needed."""
        callbacks: list[pl.Callback] = []
        if self.ema is not None:
            callbacks.append(EMASwap(self.ema, self.generator))
        schedules = (self.config.generator_scheduler, self.config.discriminator_scheduler)
        if any(schedule.name == "plateau" for schedule in schedules):
            callbacks.append(PlateauStep())
        return callbacks

    def configure_model(self) -> None:
        """Channels-last and compilation as configured, before DDP wraps the networks.

        Converting here rather than in ``on_fit_start`` lets DDP lay out its gradient buckets in the
        final memory format. Compilation is in place: the networks keep their state-dict keys.
        """
        if self._configured:
            return
        self._configured = True
        networks = [n for n in (self.generator, self.discriminator) if n is not None]
        if self.config.channels_last:
            for network in networks:
                network.to(memory_format=channels_last_format(self._g.spatial_dims))
        if self.config.compile:
            for network in networks:
                network.compile()

    def on_fit_start(self) -> None:
        """Make the EMA generator (or load the resumed one) once the generator is in place."""
        self.configure_model()  # no-op when Lightning already called it
        if self.ema is not None:
            self.ema.attach(self.generator)

    def on_validation_model_eval(self) -> None:
        """Eval mode for validation; eager generators also switch to their inference forms."""
        super().on_validation_model_eval()
        if not self.config.compile:  # compiled networks keep the plain forms they were traced in
            prepare_inference(self.generator)

    def on_validation_end(self) -> None:
        """Back to the generator's plain forms (Lightning then restores each module's mode)."""
        prepare_inference(self.generator, enabled=False)

    def on_train_end(self) -> None:
        """Apply the policy to the finiteness flags of the last updates."""
        self.updates.flush()

    def on_before_optimizer_step(self, optimizer: Optimizer) -> None:
        """Clip the stepping network's gradients (unscaled by now under ``16-mixed``)."""
        self.updates.clip_stepping(self, optimizer)

    def on_train_start(self) -> None:
        """Restore the RNG states of a resumed checkpoint (after Lightning's sanity check)."""
        if self._pending_rng is not None:
            restore_rng_state(self._pending_rng)
            self._pending_rng = None

    def _memory_format(self, x: Tensor) -> Tensor:
        if not self.config.channels_last:
            return x
        return x.contiguous(memory_format=channels_last_format(spatial_dims_of(x)))

    @property
    def adversarial_active(self) -> bool:
        """Whether the discriminator has joined (pretraining is over)."""
        return self._d is not None and self.generator_steps >= self.config.pretrain_steps

    def adversarial_weight(self) -> float:
        """The adversarial term's weight at the current generator step (0 while pretraining)."""
        if self.adversarial_term is None or not self.adversarial_active:
            return 0.0
        since = self.generator_steps - self.config.pretrain_steps
        factor = ramp(since, self.config.adversarial_ramp_steps, self.config.adversarial_ramp)
        return self.adversarial_term.weight_at(self.generator_steps) * factor

    def _budget_spent(self) -> bool:
        """Whether ``max_generator_steps`` is reached (then asks the Trainer to stop)."""
        limit = self.config.max_generator_steps
        if limit is not None and self.generator_steps >= limit:
            self.trainer.should_stop = True
            return True
        return False

    def _steppers(self) -> tuple[list[Any], list[NetworkLR]]:
        """The optimisers and their schedules, generator's first."""
        optimisers, schedulers = self.optimizers(), self.lr_schedulers()
        listed = schedulers if isinstance(schedulers, list) else [schedulers]
        optimisers = optimisers if isinstance(optimisers, list) else [optimisers]
        return optimisers, [s for s in listed if isinstance(s, NetworkLR)]

    def training_step(self, batch: Sample, batch_idx: int) -> None:
        """One batch of an accumulation cycle; the cycle's last batch steps the optimisers."""
        if self._budget_spent():
            return
        every, step = self.config.accumulate_batches, self.generator_steps
        cycle = {
            "first": batch_idx % every == 0,
            "last": (batch_idx + 1) % every == 0
            or batch_idx + 1 == self.trainer.num_training_batches,
        }
        prepared = self._prepare(batch)
        lr, hr = prepared.inputs, prepared.target
        view = functools.partial(self.task.discriminator_view, batch=prepared)
        optimisers, schedulers = self._steppers()
        sr = self.task.generate(self._g, prepared)
        logs: dict[str, Tensor | float] = {}
        adversarial = self.adversarial_active
        if (
            adversarial
            and self._d is not None
            and self.adversarial_term is not None
            and self.generator_steps % self.config.d_update_interval == 0
        ):
            self.toggle_optimizer(optimisers[1])
            loss, values, d_logs = discriminator_objective(
                self._d,
                self.adversarial_term,
                sr.detach(),
                hr,
                self.config.r1_gamma,
                view,
                self._mismatched_pairs(prepared),
            )
            logs.update(d_logs)
            if self.updates.update(
                self, "discriminator", optimisers[1], (loss, values), step=step, **cycle
            ):
                self.discriminator_steps += 1
                schedulers[1].step()
            self.untoggle_optimizer(optimisers[1])
        self.toggle_optimizer(optimisers[0])
        inputs = GeneratorInputs(
            sr,
            hr,
            lr,
            prepared.mask,
            self.generator_steps,
            cond=prepared.cond,
            target_holes=prepared.target_holes,
            metadata=prepared.metadata,
            view=view,
        )
        term = self.adversarial_term
        weighted = (term, self.adversarial_weight()) if adversarial and term is not None else None
        total, values, g_logs = generator_objective(inputs, self._d, self.content_terms, weighted)
        logs.update(g_logs)
        if self.updates.update(
            self, "generator", optimisers[0], (total, values), step=step, **cycle
        ):
            self.generator_steps += 1
            schedulers[0].step()
            if self.ema is not None:
                self.ema.update(self.generator, self.generator_steps)
            self._budget_spent()
        self.untoggle_optimizer(optimisers[0])
        self.batches_seen += 1
        every = int(getattr(self.trainer, "log_every_n_steps", 0) or 0)
        if (every and self.batches_seen % every == 0) or (
            batch_idx + 1 == self.trainer.num_training_batches
        ):
            self.updates.flush()  # finiteness flags reach the host when metrics do
        if self.config.check_finite and self.config.nonfinite.policy == "skip":
            logs["train/skipped_steps"] = float(self.guard.skipped)
        self.log_dict(logs, on_step=True, on_epoch=False, batch_size=lr.shape[0])

    def _mismatched_pairs(self, prepared: TaskBatch) -> MismatchedPairs | None:
        """The matching-aware term's pairs for tasks that swap conditioning (``None`` otherwise)."""
        task = self.task
        if not isinstance(task, ConditionSwapping) or task.matching_weight == 0.0:
            return None
        swapped, mismatched = task.mismatched(prepared)

        def view(image: Tensor) -> tuple[Tensor, Conditioning | None]:
            x, _ = task.discriminator_view(image, prepared)
            return x, swapped

        return MismatchedPairs(view, mismatched, task.matching_weight)

    def _prepare(self, batch: Mapping[str, Any]) -> TaskBatch:
        """The task's reading of ``batch``, with input and target in the configured memory format."""
        if self.conditioning is not None:
            batch = self.conditioning(batch)
        prepared = self.task.prepare(batch, self._norm)
        return attrs.evolve(
            prepared,
            inputs=self._memory_format(prepared.inputs),
            target=self._memory_format(prepared.target),
        )

    def validation_step(self, batch: Sample, batch_idx: int) -> dict[str, Any]:
        """The task's metrics of the model and its baselines; returns them with images and preview.

        Logs each metric as ``val/<name>`` (super-resolution: ``val/psnr``, ``val/ssim``,
        ``val/sam`` and the same with a ``_bicubic`` suffix). The returned dict holds the per-sample
        metrics, the task's named images and ``preview`` (a :class:`~gan_engine.types.Preview`).
        """
        prepared = self._prepare(batch)
        output = self.task.generate(self._g, prepared)
        if isinstance(self.task, ConditionSwapping):
            swapped, _ = self.task.mismatched(prepared)
            variant = self.task.generate(self._g, attrs.evolve(prepared, cond=swapped))
            prepared = attrs.evolve(prepared, variants={**prepared.variants, "swapped": variant})
        result = self.task.validate(batch, prepared, output, self._norm, self.data_range)
        size = prepared.inputs.shape[0]
        outputs: dict[str, Any] = dict(result.images)
        for name, values in result.metrics.items():
            outputs[name] = values
            self.log(
                f"val/{name}",
                values.mean(),
                batch_size=values.numel(),  # per-bin metrics cover part of the batch
                prog_bar=name == result.headline,
                sync_dist=True,  # ranks validate different samples; all must see the same value
            )
        outputs["preview"] = result.preview
        self.log(
            "val/generator_steps", float(self.generator_steps), batch_size=size, sync_dist=True
        )
        self._update_metrics(result)
        return outputs

    def _update_metrics(self, result: TaskValidation) -> None:
        if not self.validation_metrics or result.prediction is None or result.reference is None:
            return
        streams = {"": result.prediction}
        streams.update({f"_{name}": image for name, image in result.baselines.items()})
        for metric in self.validation_metrics.values():
            metric.update(streams, result.reference, self.data_range)

    def on_validation_epoch_start(self) -> None:
        """Empty the validation metrics and move them to the module's device."""
        for metric in self.validation_metrics.values():
            metric.to(self.device)
            metric.reset()

    def on_validation_epoch_end(self) -> None:
        """Log each validation metric of the run, per stream (synchronised across DDP ranks)."""
        for name, metric in self.validation_metrics.items():
            for stream, value in metric.compute().items():
                self.log(f"val/{name}{stream}", value.float(), sync_dist=True)
            metric.reset()

    def predict_step(self, batch: Mapping[str, Tensor], batch_idx: int) -> Tensor:
        """Super-resolve ``batch["lr"]`` (sensor units ``[B, C, *S]``); returns denormalised SR, float."""
        lr = batch["lr"]
        return self._norm.denormalise(self(self._norm.normalise(lr, "lr")), "hr").float()

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Store the spec, counters, skip counts, RNG states and the EMA generator (plain data).

        Pending finiteness flags are applied first, so the skip counts are current; a ``stop``
        policy raises here, before anything is written.
        """
        self.updates.flush()
        state: dict[str, Any] = {
            "spec": self.spec,
            "task": self.task.name,
            "generator_steps": self.generator_steps,
            "discriminator_steps": self.discriminator_steps,
            "batches_seen": self.batches_seen,
            "nonfinite": self.guard.state_dict(),
            "rng": capture_rng_state(),
        }
        if self.ema is not None:
            state["ema_generator"] = self.ema.state_dict()
            raw = self.ema.raw_weights()
            if raw is not None:  # saved during validation: the generator holds the EMA weights
                weights = checkpoint.get("state_dict", {})
                for key, value in raw.items():
                    weights[f"generator.{key}"] = value
        checkpoint[CHECKPOINT_KEY] = state

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Restore counters, skip counts and the EMA generator; RNG states wait for the training start."""
        state = checkpoint.get(CHECKPOINT_KEY)
        if state is None:
            msg = f"not a GAN-Engine checkpoint: it has no '{CHECKPOINT_KEY}' entry"
            raise CheckpointFormatError(msg)
        trained_for = state.get("task", DEFAULT_TASK)
        if trained_for != self.task.name:
            msg = f"the checkpoint was trained for task '{trained_for}', this run is '{self.task.name}'"
            raise CheckpointFormatError(msg)
        self.generator_steps = int(state["generator_steps"])
        self.discriminator_steps = int(state["discriminator_steps"])
        self.batches_seen = int(state.get("batches_seen", 0))
        if "nonfinite" in state:
            self.guard.load_state_dict(state["nonfinite"])
        self._pending_rng = state.get("rng")
        ema_state = state.get("ema_generator")
        if self.ema is not None and ema_state is not None:
            self.ema.load_state_dict(ema_state)
