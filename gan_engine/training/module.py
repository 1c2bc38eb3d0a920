"""The GAN super-resolution LightningModule: receives its parts, never builds them.

Manual optimisation (Lightning 2 refuses automatic optimisation with two optimisers): each training batch
makes at most one discriminator step (every ``d_update_interval`` batches once adversarial) and one
generator step. The module keeps its own counters (``generator_steps``, ``discriminator_steps``) for every
schedule, because ``trainer.global_step`` counts optimiser steps and so grows by two per adversarial
batch; the counters and the run's resolved spec travel in every checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import lightning.pytorch as pl
import torch
from torch import Tensor, nn

from gan_engine.nn.interpolate import upsample
from gan_engine.nn.layers import channels_last_format
from gan_engine.protocols import Discriminator, Generator, LossContext, Normaliser
from gan_engine.training.config import TrainingConfig
from gan_engine.training.guard import check_finite
from gan_engine.training.optimisers import build_optimiser
from gan_engine.training.penalties import r1_penalty
from gan_engine.training.schedules import ramp
from gan_engine.training.terms import AdversarialTerm, LossTerm, needs
from gan_engine.training.validation import validation_metrics
from gan_engine.types import Sample, spatial_dims_of

CHECKPOINT_KEY = "gan_engine"
"""Key under which checkpoints hold the resolved spec and the step counters."""


def _require_module(component: object, role: str) -> nn.Module:
    if not isinstance(component, nn.Module):
        msg = f"the {role} must be a torch.nn.Module, got {type(component).__qualname__}"
        raise TypeError(msg)
    return component


class GANModule(pl.LightningModule):
    """Trains a generator (and optionally a discriminator) for super-resolution.

    Batches are :class:`~gan_engine.types.Sample` dicts in sensor units; the module normalises them,
    and denormalises outputs for validation metrics (PSNR of the model and of the bicubic/trilinear
    baseline on the same images, logged as ``val/psnr`` and ``val/psnr_bicubic``).

    Args:
        generator: the super-resolution network.
        discriminator: the adversary; ``None`` trains with content losses only.
        content_terms: weighted content losses (pixel, perceptual, …).
        adversarial_term: the adversarial loss; required exactly when there is a discriminator.
        normaliser: converts sensor values to network range and back.
        config: optimisers, pretraining, cadence and ramp.
        data_range: width of the valid value range in sensor units (255 for 8-bit photos).
        spec: the resolved run spec, stored in checkpoints so they alone can rebuild the model.
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
        self._g: Generator = generator
        self._d: Discriminator | None = discriminator
        self._norm: Normaliser = normaliser
        self.content_terms = tuple(content_terms)
        self.adversarial_term = adversarial_term
        # Registered so loss buffers (e.g. backbones' input statistics) follow the module's device.
        self.losses = nn.ModuleList(
            term.loss for term in self._all_terms() if isinstance(term.loss, nn.Module)
        )
        self.config = config
        self.data_range = data_range
        self.spec = dict(spec) if spec is not None else None
        self.generator_steps = 0
        self.discriminator_steps = 0

    def _all_terms(self) -> list[LossTerm | AdversarialTerm]:
        terms: list[LossTerm | AdversarialTerm] = list(self.content_terms)
        if self.adversarial_term is not None:
            terms.append(self.adversarial_term)
        return terms

    def forward(self, lr: Tensor) -> Tensor:
        """Super-resolve a normalised batch ``[B, C, *S]``."""
        return self._g(self._memory_format(lr))

    def configure_optimizers(self) -> list[torch.optim.Optimizer]:
        """The generator's optimiser, then the discriminator's when there is one."""
        optimisers = [build_optimiser(self.generator.parameters(), self.config.generator_optimizer)]
        if self.discriminator is not None:
            optimisers.append(
                build_optimiser(
                    self.discriminator.parameters(), self.config.discriminator_optimizer
                )
            )
        return optimisers

    def on_fit_start(self) -> None:
        """Switch networks to channels-last memory format when configured."""
        if self.config.channels_last:
            dims = self._g.spatial_dims
            self.generator.to(memory_format=channels_last_format(dims))
            if self.discriminator is not None:
                self.discriminator.to(memory_format=channels_last_format(dims))

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

    def training_step(self, batch: Sample, batch_idx: int) -> None:
        """One discriminator step (on cadence, once adversarial) and one generator step."""
        lr = self._memory_format(self._norm.normalise(batch["lr"], "lr"))
        hr = self._memory_format(self._norm.normalise(batch["hr"], "hr"))
        optimisers = self.optimizers()
        if not isinstance(optimisers, list):
            optimisers = [optimisers]
        sr = self._g(lr)
        logs: dict[str, Tensor | float] = {}
        adversarial = self.adversarial_active
        if (
            adversarial
            and self._d is not None
            and self.adversarial_term is not None
            and self.generator_steps % self.config.d_update_interval == 0
        ):
            logs.update(
                self._discriminator_step(
                    optimisers[1], self._d, self.adversarial_term, sr.detach(), hr
                )
            )
        logs.update(
            self._generator_step(
                optimisers[0], sr, hr, lr, batch.get("mask"), adversarial=adversarial
            )
        )
        self.generator_steps += 1
        self.log_dict(logs, on_step=True, on_epoch=False, batch_size=lr.shape[0])

    def _discriminator_step(
        self,
        optimiser: pl.core.optimizer.LightningOptimizer,
        discriminator: Discriminator,
        term: AdversarialTerm,
        fake: Tensor,
        real: Tensor,
    ) -> dict[str, Tensor | float]:
        self.toggle_optimizer(optimiser)
        gamma = self.config.r1_gamma
        if gamma > 0:
            real = real.detach().requires_grad_(True)
        real_logits = discriminator(real)
        fake_logits = discriminator(fake)
        loss = term.loss.discriminator_loss(real_logits, fake_logits)
        logs: dict[str, Tensor | float] = {}
        if gamma > 0:
            penalty = r1_penalty(real, real_logits)
            logs["train/d_r1"] = penalty.detach()
            loss = loss + gamma / 2 * penalty
        if self.config.check_finite:
            check_finite("discriminator loss", loss, self.generator_steps)
        optimiser.zero_grad(set_to_none=True)
        self.manual_backward(loss)
        self._clip(optimiser, self.config.gradient_clip.discriminator)
        optimiser.step()
        self.untoggle_optimizer(optimiser)
        self.discriminator_steps += 1
        logs["train/d_loss"] = loss.detach()
        logs["train/d_real_logit"] = real_logits.detach().mean()
        logs["train/d_fake_logit"] = fake_logits.detach().mean()
        return logs

    def _loss_context(
        self, sr: Tensor, hr: Tensor, lr: Tensor, mask: Tensor | None, *, adversarial: bool
    ) -> LossContext:
        """The loss context: the valid-pixel mask, plus the discriminator's logits and features."""
        context = LossContext(step=self.generator_steps, lr=lr, mask=mask)
        if self._d is None:
            return context
        terms = [t.loss for t in self.content_terms]
        if adversarial and self.adversarial_term is not None:
            terms.append(self.adversarial_term.loss)
            context.fake_logits = self._d(sr)
            if needs(self.adversarial_term.loss, "real_logits"):
                with torch.no_grad():
                    context.real_logits = self._d(hr)
        if any(needs(loss, "features") for loss in terms):
            context.fake_features = self._d.features(sr)
            with torch.no_grad():
                context.real_features = self._d.features(hr)
        return context

    def _generator_step(
        self,
        optimiser: pl.core.optimizer.LightningOptimizer,
        sr: Tensor,
        hr: Tensor,
        lr: Tensor,
        mask: Tensor | None,
        *,
        adversarial: bool,
    ) -> dict[str, Tensor | float]:
        self.toggle_optimizer(optimiser)
        step = self.generator_steps
        context = self._loss_context(sr, hr, lr, mask, adversarial=adversarial)
        logs: dict[str, Tensor | float] = {}
        values: dict[str, Tensor] = {}
        total = sr.new_zeros(())
        for term in self.content_terms:
            weight = term.weight_at(step)
            if weight == 0.0:
                continue  # switched off by its schedule: not even computed
            values[term.name] = term.loss(sr, hr, context)
            total = total + weight * values[term.name]
        if adversarial and self.adversarial_term is not None:
            name = self.adversarial_term.name
            values[name] = self.adversarial_term.loss(sr, hr, context)
            weight = self.adversarial_weight()
            logs["train/adversarial_weight"] = weight
            total = total + weight * values[name]
        if self.config.check_finite and not bool(torch.isfinite(total)):
            for name, value in values.items():
                check_finite(name, value, step)
            check_finite("generator total", total, step)
        optimiser.zero_grad(set_to_none=True)
        self.manual_backward(total)
        self._clip(optimiser, self.config.gradient_clip.generator)
        optimiser.step()
        self.untoggle_optimizer(optimiser)
        logs.update({f"train/g_{name}": value.detach() for name, value in values.items()})
        logs["train/g_total"] = total.detach()
        return logs

    def _clip(
        self, optimiser: pl.core.optimizer.LightningOptimizer, threshold: float | None
    ) -> None:
        # Lightning's clip_gradients unscales first under 16-bit mixed precision.
        if threshold is not None:
            self.clip_gradients(
                optimiser.optimizer,
                gradient_clip_val=threshold,
                gradient_clip_algorithm=self.config.gradient_clip.algorithm,
            )

    def validation_step(self, batch: Sample, batch_idx: int) -> dict[str, Tensor]:
        """Metrics of the model and of interpolation on denormalised outputs; returns images too.

        Logs ``val/psnr``, ``val/ssim`` and ``val/sam`` (more than one band) for the model and the same
        with a ``_bicubic`` suffix for bicubic (trilinear in 3D) interpolation of the same inputs.
        """
        lr_raw, hr_raw = batch["lr"], batch["hr"]
        sr_raw = self._norm.denormalise(self(self._norm.normalise(lr_raw, "lr")), "hr").float()
        baseline = upsample(lr_raw.float(), self._g.scale)
        size = lr_raw.shape[0]
        outputs: dict[str, Tensor] = {"lr": lr_raw, "bicubic": baseline, "sr": sr_raw, "hr": hr_raw}
        for suffix, prediction in (("", sr_raw), ("_bicubic", baseline)):
            for name, values in validation_metrics(prediction, hr_raw, self.data_range).items():
                outputs[f"{name}{suffix}"] = values
                self.log(
                    f"val/{name}{suffix}",
                    values.mean(),
                    batch_size=size,
                    prog_bar=name == "psnr" and not suffix,
                )
        self.log("val/generator_steps", float(self.generator_steps), batch_size=size)
        return outputs

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Store the resolved spec and the step counters."""
        checkpoint[CHECKPOINT_KEY] = {
            "spec": self.spec,
            "generator_steps": self.generator_steps,
            "discriminator_steps": self.discriminator_steps,
        }

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Restore the step counters."""
        state = checkpoint.get(CHECKPOINT_KEY)
        if state is None:
            msg = f"not a GAN-Engine checkpoint: it has no '{CHECKPOINT_KEY}' entry"
            raise ValueError(msg)
        self.generator_steps = int(state["generator_steps"])
        self.discriminator_steps = int(state["discriminator_steps"])
