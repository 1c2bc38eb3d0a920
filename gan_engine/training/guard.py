"""Naming the loss term that went non-finite, and the policy applied to a non-finite update.

The trainer never raises on a NaN total: :class:`~gan_engine.training.updates.GuardedUpdates` asks
:func:`first_nonfinite` for the first non-finite *unweighted* term (the useful one to name), so a
diverging run stops with ``loss term 'ssim' is nan at step 12``, and checks gradients with
:func:`gradients_finite_flag` (on the device, no host synchronisation) or :func:`gradients_finite`.
When the host reads those flags is ``Training.nonfinite.check``: at every update (``every_step``) or
only when the module logs (``when_logging``, through :mod:`~gan_engine.training.deferred_checks`).
:class:`NonFiniteGuard` then applies ``Training.nonfinite.policy``: stop at once, or skip the update and
stop after too many consecutive skips of one network. :func:`check_finite` raises for one value, for
code outside the trainer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import torch
from torch import Tensor

from gan_engine.errors import GanEngineError


class NonFiniteLossError(GanEngineError, ArithmeticError):
    """A loss term evaluated to NaN or ±inf.

    Attributes:
        term: the name of the loss term.
        step: the step it happened at, when known.
    """

    def __init__(self, term: str, message: str, step: int | None = None) -> None:
        super().__init__(message)
        self.term = term
        self.step = step


def check_finite(name: str, value: Tensor, step: int | None = None) -> None:
    """Raise :class:`NonFiniteLossError` when ``value`` holds a NaN or an infinity.

    Args:
        name: the loss term's name, e.g. ``"ssim"`` or ``"vgg"``.
        value: the term's value, usually 0-dim; any shape is checked element-wise.
        step: the current step, quoted in the message when given.

    Raises:
        NonFiniteLossError: ``loss term 'ssim' is nan at step 12`` (``is inf``, ``is -inf``, or for a
            non-scalar ``has 3 non-finite values (nan, inf) of 8``).
    """
    message = nonfinite_message(name, value, step)
    if message is not None:
        raise NonFiniteLossError(name, message, step)


def nonfinite_message(name: str, value: Tensor, step: int | None = None) -> str | None:
    """The message :func:`check_finite` would raise with, or ``None`` when ``value`` is finite."""
    detached = value.detach()
    finite = torch.isfinite(detached)
    if bool(finite.all()):
        return None
    where = f" at step {step}" if step is not None else ""
    if detached.numel() == 1:
        what = f"is {detached.reshape(()).item()}"
    else:
        kinds = []
        if bool(torch.isnan(detached).any()):
            kinds.append("nan")
        if bool(torch.isposinf(detached).any()):
            kinds.append("inf")
        if bool(torch.isneginf(detached).any()):
            kinds.append("-inf")
        bad = int((~finite).sum())
        what = f"has {bad} non-finite values ({', '.join(kinds)}) of {detached.numel()}"
    return f"loss term '{name}' {what}{where}"


def first_nonfinite(
    values: Mapping[str, Tensor], step: int | None = None
) -> tuple[str, str] | None:
    """The first ``(name, message)`` among ``values`` that is not finite, or ``None``."""
    for name, value in values.items():
        message = nonfinite_message(name, value, step)
        if message is not None:
            return name, message
    return None


def gradients_finite_flag(parameters: Iterable[torch.nn.Parameter]) -> Tensor | None:
    """A 0-dim bool tensor on the gradients' device: every gradient is finite (no host sync).

    A gradient whose norm overflows counts as non-finite. ``None`` when there are no gradients.
    """
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return None
    norms = torch._foreach_norm(grads)
    return torch.isfinite(torch.stack([norm.float() for norm in norms])).all()


def gradients_finite(parameters: Iterable[torch.nn.Parameter]) -> bool:
    """Whether every gradient of ``parameters`` is finite (one host synchronisation)."""
    flag = gradients_finite_flag(parameters)
    return flag is None or bool(flag)


Network = Literal["generator", "discriminator"]


class NonFiniteGuard:
    """Applies the non-finite policy: ``stop`` raises at once; ``skip`` counts and raises at the limit.

    Counts are kept per network: a network's consecutive count resets when one of its updates
    succeeds. ``skipped`` is the total number of skipped updates of both networks.

    Args:
        policy: ``stop`` or ``skip``.
        max_consecutive: consecutive skipped updates of one network tolerated by ``skip``.
    """

    def __init__(self, policy: Literal["stop", "skip"], max_consecutive: int) -> None:
        self.policy = policy
        self.max_consecutive = max_consecutive
        self.skipped = 0
        self.consecutive: dict[str, int] = {"generator": 0, "discriminator": 0}

    def bad(self, network: Network, term: str, message: str, step: int | None) -> None:
        """Record a non-finite update of ``network``; raise when the policy says to stop.

        Raises:
            NonFiniteLossError: policy ``stop``, or the ``max_consecutive``-th skip in a row.
        """
        if self.policy == "stop":
            raise NonFiniteLossError(term, message, step)
        self.skipped += 1
        self.consecutive[network] += 1
        count = self.consecutive[network]
        if count >= self.max_consecutive:
            msg = f"{message} ({count} consecutive {network} updates skipped; stopping)"
            raise NonFiniteLossError(term, msg, step)

    def good(self, network: Network) -> None:
        """Record a successful update of ``network``."""
        self.consecutive[network] = 0

    def state_dict(self) -> dict[str, int]:
        """Plain counts for checkpoints."""
        return {
            "skipped": self.skipped,
            "generator_consecutive": self.consecutive["generator"],
            "discriminator_consecutive": self.consecutive["discriminator"],
        }

    def load_state_dict(self, state: Mapping[str, int]) -> None:
        """Restore the counts of :meth:`state_dict`."""
        self.skipped = int(state["skipped"])
        self.consecutive = {
            "generator": int(state["generator_consecutive"]),
            "discriminator": int(state["discriminator_consecutive"]),
        }
