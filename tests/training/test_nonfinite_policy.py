from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import pytest
import torch
from torch import Tensor

from gan_engine.protocols import LossContext
from gan_engine.training.callbacks.checkpoints import GeneratorStepCheckpoint
from gan_engine.training.checkpoint_io import AtomicCheckpointIO
from gan_engine.training.config import NonFiniteConfig
from gan_engine.training.guard import NonFiniteGuard, NonFiniteLossError
from gan_engine.training.module import CHECKPOINT_KEY
from gan_engine.training.terms import LossTerm


class NaNOnCalls:
    """L1, but NaN on the given (0-based) calls."""

    def __init__(self, calls: set[int] | None = None) -> None:
        self.calls = calls
        self.count = 0

    def __call__(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        value = (sr - hr).abs().mean()
        bad = self.calls is None or self.count in self.calls
        self.count += 1
        return value * float("nan") if bad else value


class _NaNGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.shape = x.shape
        return x.mean()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return torch.full(ctx.shape, float("nan"))


class NaNGradientLoss:
    """A finite loss whose gradient is NaN."""

    def __call__(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        return _NaNGradient.apply((sr - hr).abs())  # type: ignore[no-any-return]


class _Changes(pl.Callback):
    """Whether each training batch changed the generator's weights."""

    def __init__(self) -> None:
        self.changed: list[bool] = []
        self._before: list[Tensor] = []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:  # type: ignore[no-untyped-def]
        self._before = [p.detach().clone() for p in pl_module.generator.parameters()]

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # type: ignore[no-untyped-def]
        after = pl_module.generator.parameters()
        self.changed.append(
            any(not torch.equal(a, b) for a, b in zip(self._before, after, strict=True))
        )


def _terms(loss: object) -> list[LossTerm]:
    return [LossTerm(name="nanny", loss=loss, weight=1.0)]  # type: ignore[arg-type]


# every_step decides before the step; when_logging skips the step on the device (it still counts)
# and decides when the flags are read: here at the next checkpoint or the epoch's end.
CHECKS = pytest.mark.parametrize("check", ["every_step", "when_logging"])


@CHECKS
def test_stop_raises_naming_the_term_and_keeps_the_last_good_checkpoint(
    make_module, loaders, fit, tmp_path: Path, check: str
) -> None:
    policy = NonFiniteConfig(policy="stop", check=check)  # type: ignore[arg-type]
    module = make_module(adversarial=False, terms=_terms(NaNOnCalls({3})), nonfinite=policy)
    saver = GeneratorStepCheckpoint(tmp_path, every_n_steps=1)
    with pytest.raises(NonFiniteLossError, match="loss term 'nanny' is nan at step 3") as error:
        fit(module, loaders, batches=4, callbacks=[saver], plugins=[AtomicCheckpointIO()])
    assert error.value.term == "nanny"
    assert module.generator_steps == (3 if check == "every_step" else 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "last.ckpt",
        "step0000001.ckpt",
        "step0000002.ckpt",
        "step0000003.ckpt",
    ]
    last = torch.load(tmp_path / "last.ckpt", weights_only=True)
    assert last[CHECKPOINT_KEY]["generator_steps"] == 3
    for key, value in module.generator.state_dict().items():
        saved = last["state_dict"][f"generator.{key}"]
        assert bool(torch.isfinite(saved).all())
        assert torch.equal(saved, value)  # the NaN batch changed nothing


@CHECKS
def test_skip_drops_the_update_counts_it_and_carries_on(
    make_module, loaders, fit, check: str
) -> None:
    policy = NonFiniteConfig(policy="skip", max_consecutive=3, check=check)  # type: ignore[arg-type]
    module = make_module(adversarial=False, terms=_terms(NaNOnCalls({1, 2})), nonfinite=policy)
    changes = _Changes()
    trainer = fit(module, loaders, batches=4, callbacks=[changes])
    assert changes.changed == [True, False, False, True]
    steps = 2 if check == "every_step" else 4
    assert (module.generator_steps, module.batches_seen) == (steps, 4)
    assert module.guard.skipped == 2
    assert module.guard.consecutive["generator"] == 0
    assert trainer.callback_metrics["train/skipped_steps"].item() == 2.0
    assert all(bool(torch.isfinite(p).all()) for p in module.generator.parameters())


@CHECKS
def test_skip_stops_after_too_many_consecutive_skips(make_module, loaders, fit, check: str) -> None:
    policy = NonFiniteConfig(policy="skip", max_consecutive=2, check=check)  # type: ignore[arg-type]
    module = make_module(adversarial=False, terms=_terms(NaNOnCalls()), nonfinite=policy)
    before = [p.detach().clone() for p in module.generator.parameters()]
    with pytest.raises(NonFiniteLossError, match="2 consecutive generator updates skipped"):
        fit(module, loaders, batches=4)
    assert module.generator_steps == (0 if check == "every_step" else 4)
    assert all(
        torch.equal(a, b) for a, b in zip(before, module.generator.parameters(), strict=True)
    )


def test_a_finite_loss_with_nan_gradients_never_reaches_the_weights(
    make_module, loaders, fit
) -> None:
    module = make_module(adversarial=False, terms=_terms(NaNGradientLoss()))
    before = [p.detach().clone() for p in module.generator.parameters()]
    with pytest.raises(NonFiniteLossError, match="generator gradients are not finite at step 0"):
        fit(module, loaders, batches=2)
    assert all(
        torch.equal(a, b) for a, b in zip(before, module.generator.parameters(), strict=True)
    )


def test_the_guard_counts_each_network_separately() -> None:
    guard = NonFiniteGuard("skip", max_consecutive=2)
    guard.bad("discriminator", "d", "d is nan", 0)
    guard.bad("generator", "g", "g is nan", 0)
    guard.good("generator")
    guard.bad("generator", "g", "g is nan", 1)
    assert guard.skipped == 3
    assert guard.consecutive == {"generator": 1, "discriminator": 1}
    with pytest.raises(NonFiniteLossError, match="2 consecutive discriminator updates"):
        guard.bad("discriminator", "d", "d is nan", 1)
    restored = NonFiniteGuard("skip", max_consecutive=2)
    restored.load_state_dict(guard.state_dict())
    assert (restored.skipped, restored.consecutive) == (4, guard.consecutive)


def test_stop_raises_at_once() -> None:
    with pytest.raises(NonFiniteLossError, match="x is nan"):
        NonFiniteGuard("stop", max_consecutive=5).bad("generator", "x", "x is nan", 0)
