"""Finiteness flags kept on the device: the fused optimiser's skip, and the policy applied later."""

from __future__ import annotations

import pytest
import torch

from gan_engine.training.deferred_checks import (
    PendingChecks,
    all_finite,
    skip_if_nonfinite,
    supports_found_inf,
)
from gan_engine.training.guard import NonFiniteGuard, NonFiniteLossError, gradients_finite_flag


def _adam(fused: bool) -> tuple[torch.nn.Parameter, torch.optim.Adam]:
    weight = torch.nn.Parameter(torch.ones(4))
    optimiser = torch.optim.Adam(
        [weight], lr=0.1, fused=fused or None, foreach=None if fused else True
    )
    return weight, optimiser


def test_a_fused_optimiser_skips_a_flagged_step_on_the_device() -> None:
    weight, optimiser = _adam(fused=True)
    assert supports_found_inf(optimiser)
    weight.grad = torch.ones(4)
    optimiser.step()
    state = {k: v.clone() for k, v in optimiser.state[weight].items()}
    before = weight.detach().clone()
    weight.grad = torch.full((4,), float("nan"))
    finite = gradients_finite_flag([weight])
    assert finite is not None
    assert not bool(finite)
    with skip_if_nonfinite(optimiser, finite):
        optimiser.step()
    assert torch.equal(weight, before)
    assert all(torch.equal(optimiser.state[weight][k], v) for k, v in state.items())
    assert not hasattr(optimiser, "found_inf")
    weight.grad = torch.ones(4)
    with skip_if_nonfinite(optimiser, torch.tensor(True)):
        optimiser.step()
    assert not torch.equal(weight, before)


def test_foreach_optimisers_cannot_skip_on_the_device() -> None:
    assert not supports_found_inf(_adam(fused=False)[1])


def test_flags_of_values_and_gradients() -> None:
    assert bool(all_finite([torch.tensor(1.0), torch.ones(3)]))
    assert not bool(all_finite([torch.tensor(1.0), torch.tensor([1.0, float("inf")])]))
    assert bool(all_finite([]))
    assert gradients_finite_flag([torch.nn.Parameter(torch.ones(2))]) is None


def _record(checks: PendingChecks, step: int, values: dict[str, float], grads_ok: bool) -> None:
    tensors = {name: torch.tensor(value) for name, value in values.items()}
    losses = all_finite(tensors.values())
    checks.record("generator", step, [tensors], losses, losses & torch.tensor(grads_ok))


def test_flush_replays_the_updates_in_order_through_the_policy() -> None:
    guard = NonFiniteGuard("skip", max_consecutive=2)
    checks = PendingChecks(guard)
    _record(checks, 0, {"l1": 1.0}, grads_ok=True)
    _record(checks, 1, {"l1": float("nan")}, grads_ok=False)
    _record(checks, 2, {"l1": 1.0}, grads_ok=True)
    assert len(checks) == 3
    checks.flush()
    assert (len(checks), guard.skipped, guard.consecutive["generator"]) == (0, 1, 0)
    _record(checks, 3, {"l1": 1.0}, grads_ok=False)
    _record(checks, 4, {"l1": 1.0, "ssim": float("inf")}, grads_ok=False)
    with pytest.raises(NonFiniteLossError, match="loss term 'ssim' is inf at step 4") as error:
        checks.flush()
    assert "2 consecutive generator updates skipped" in str(error.value)
    assert error.value.step == 4


def test_flush_names_gradients_when_every_loss_was_finite() -> None:
    checks = PendingChecks(NonFiniteGuard("stop", max_consecutive=1))
    _record(checks, 7, {"l1": 1.0}, grads_ok=False)
    with pytest.raises(NonFiniteLossError, match="generator gradients are not finite at step 7"):
        checks.flush()
