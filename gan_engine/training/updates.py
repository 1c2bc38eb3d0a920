"""One network's guarded, accumulated optimiser update in manual optimisation.

Each batch of an accumulation cycle backpropagates ``loss / accumulate_batches``; the cycle's last batch
clips and steps. A non-finite loss (on any rank: the decision is reduced across processes so every rank
skips together and DDP's gradient all-reduce stays in step) poisons the cycle: its remaining batches
skip the backward and the cycle ends with zeroed gradients and no step, as
:class:`~gan_engine.training.guard.NonFiniteGuard` allows (policy ``stop`` raises before any weight
changes). Outside ``16-mixed`` — whose gradient scaler skips non-finite steps by itself — the
accumulated gradients are checked before stepping as well, so a finite loss with NaN gradients can
never write NaN weights.

That is ``nonfinite.check: every_step``: each update reads flags back to the host. The default,
``when_logging``, keeps the flags on the device (:mod:`~gan_engine.training.deferred_checks`): the
backward always runs, a fused optimiser skips a non-finite step on the device, and the flags reach
the guard when :meth:`GuardedUpdates.flush` is called (when the module logs, at epoch ends and before
checkpoints). Optimisers without a fused kernel fall back to ``every_step``.

Clipping happens inside the optimiser step, in the module's ``on_before_optimizer_step`` hook: that is
where Lightning has unscaled ``16-mixed`` gradients, so the threshold applies to the true gradients
(clipping before ``step()`` would clip the scaled ones, by a factor of the loss scale too hard).
"""

from __future__ import annotations

import lightning.pytorch as pl
import torch
from lightning.pytorch.core.optimizer import LightningOptimizer
from torch import Tensor
from torch.optim import Optimizer

from gan_engine.training.config import TrainingConfig
from gan_engine.training.deferred_checks import (
    PendingChecks,
    all_finite,
    skip_if_nonfinite,
    supports_found_inf,
)
from gan_engine.training.guard import (
    Network,
    NonFiniteGuard,
    first_nonfinite,
    gradients_finite,
    gradients_finite_flag,
)


class GuardedUpdates:
    """Accumulates, guards, clips and steps the generator's and the discriminator's optimisers.

    Args:
        config: the training settings (accumulation, clipping, finite checks).
        guard: applies the non-finite policy and keeps the skip counts.
    """

    def __init__(self, config: TrainingConfig, guard: NonFiniteGuard) -> None:
        self.config = config
        self.guard = guard
        self.poisoned: dict[str, bool] = {"generator": False, "discriminator": False}
        self._stepping: tuple[Optimizer, float] | None = None
        self.pending = PendingChecks(guard)
        self._cycle: dict[str, list[tuple[Tensor, dict[str, Tensor]]]] = {
            "generator": [],
            "discriminator": [],
        }

    def deferred(self, module: pl.LightningModule, optimiser: Optimizer) -> bool:
        """Whether ``optimiser``'s updates keep their finiteness flags on the device."""
        return (
            self.config.check_finite
            and self.config.nonfinite.check == "when_logging"
            and (module.trainer.precision == "16-mixed" or supports_found_inf(optimiser))
        )

    def flush(self) -> None:
        """Apply the policy to the updates whose flags are still on the device (one sync)."""
        self.pending.flush()

    def update(
        self,
        module: pl.LightningModule,
        network: Network,
        optimiser: LightningOptimizer,
        objective: tuple[Tensor, dict[str, Tensor]],
        *,
        step: int,
        first: bool,
        last: bool,
    ) -> bool:
        """Backpropagate one batch of ``objective`` (loss, named values); step at the cycle's end.

        Returns:
            Whether the optimiser stepped.

        Raises:
            NonFiniteLossError: as the non-finite policy decides.
        """
        if self.deferred(module, optimiser.optimizer):
            return self._update_deferred(module, network, optimiser, objective, step, first, last)
        loss, values = objective
        check = self.config.check_finite
        if first:
            optimiser.zero_grad(set_to_none=True)
            self.poisoned[network] = False
        if check and not self.poisoned[network]:
            local_bad = not bool(torch.isfinite(loss.detach()))
            if module.trainer.strategy.reduce_boolean_decision(local_bad, all=False):
                self.poisoned[network] = True
                term, message = first_nonfinite(values, step) or (
                    f"{network} total",
                    f"loss term '{network} total' is not finite on another rank at step {step}",
                )
                self.guard.bad(network, term, message, step)
        if not self.poisoned[network]:
            module.manual_backward(loss / self.config.accumulate_batches)
        if not last:
            return False
        if (
            check
            and not self.poisoned[network]
            and module.trainer.precision != "16-mixed"
            and not gradients_finite(p for g in optimiser.param_groups for p in g["params"])
        ):
            self.poisoned[network] = True
            message = f"{network} gradients are not finite at step {step}"
            self.guard.bad(network, f"{network} gradients", message, step)
        if self.poisoned[network]:
            optimiser.zero_grad(set_to_none=True)
            return False
        self._step(network, optimiser)
        self.guard.good(network)
        return True

    def _update_deferred(
        self,
        module: pl.LightningModule,
        network: Network,
        optimiser: LightningOptimizer,
        objective: tuple[Tensor, dict[str, Tensor]],
        step: int,
        first: bool,
        last: bool,
    ) -> bool:
        """:meth:`update` without reading anything back: the step is skipped on the device."""
        loss, values = objective
        if first:
            optimiser.zero_grad(set_to_none=True)
            self._cycle[network] = []
        self._cycle[network].append((all_finite([loss, *values.values()]), values))
        module.manual_backward(loss / self.config.accumulate_batches)
        if not last:
            return False
        batches, self._cycle[network] = self._cycle[network], []
        losses_finite = torch.stack([flag for flag, _ in batches]).all()
        if module.trainer.precision == "16-mixed":
            # The gradient scaler skips steps with non-finite gradients by itself.
            self._step(network, optimiser)
            finite = losses_finite
        else:
            params = (p for group in optimiser.param_groups for p in group["params"])
            grads = gradients_finite_flag(params)
            finite = losses_finite if grads is None else losses_finite & grads
            with skip_if_nonfinite(optimiser.optimizer, finite):
                self._step(network, optimiser)
        self.pending.record(network, step, [v for _, v in batches], losses_finite, finite)
        return True

    def _step(self, network: Network, optimiser: LightningOptimizer) -> None:
        clip = self.config.gradient_clip
        threshold = clip.generator if network == "generator" else clip.discriminator
        self._stepping = None if threshold is None else (optimiser.optimizer, threshold)
        try:
            optimiser.step()
        finally:
            self._stepping = None

    def clip_stepping(self, module: pl.LightningModule, optimiser: Optimizer) -> None:
        """Clip ``optimiser``'s gradients if it is the one stepping now with a threshold.

        Call from ``on_before_optimizer_step``: gradients are final (and unscaled) there.
        """
        if self._stepping is None or self._stepping[0] is not optimiser:
            return
        module.clip_gradients(
            optimiser,
            gradient_clip_val=self._stepping[1],
            gradient_clip_algorithm=self.config.gradient_clip.algorithm,
        )
