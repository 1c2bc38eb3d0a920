"""Attributing a non-finite loss to the term that produced it.

The trainer calls :func:`check_finite` on each term's value (the *unweighted* term is the useful one to
name) so a diverging run stops with ``loss term 'ssim' is nan at step 12`` instead of a NaN total.
Calling it reads the value back to the host, which synchronises an accelerator: call it every step
while debugging, or every ``N`` steps in long runs.
"""

from __future__ import annotations

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
    detached = value.detach()
    finite = torch.isfinite(detached)
    if bool(finite.all()):
        return
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
    msg = f"loss term '{name}' {what}{where}"
    raise NonFiniteLossError(name, msg, step)
