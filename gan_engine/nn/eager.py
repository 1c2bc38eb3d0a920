"""In-place forms of activations and residual additions, for eager inference without autograd.

Under ``torch.no_grad()`` / ``torch.inference_mode()`` nothing keeps a layer's output for a backward
pass, so an activation or a residual addition can write into the fresh output of the convolution
before it instead of allocating another map of the same size. On a CPU that saves a memory pass and
the page faults of a fresh allocation per element-wise op. Nothing changes while autograd records,
while a module is traced or compiled (those see the plain out-of-place code), or for the caller's
tensors: only outputs the module made itself are written.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor, nn
from torch.nn import functional


def eager_no_grad() -> bool:
    """Whether this call runs eagerly with autograd off (in-place and banded forms are then safe)."""
    if torch.compiler.is_compiling():  # first: the compiler folds it, and reads nothing more
        return False
    # torch._C._is_tracing is what torch.jit.is_tracing returns, with a type
    return not (torch.is_grad_enabled() or torch._C._is_tracing())


def activate_(activation: nn.Module, x: Tensor) -> Tensor:
    """``activation(x)``, written into ``x`` for ReLU, LeakyReLU and one-slope PReLU on a CPU.

    A one-slope PReLU is a LeakyReLU with its slope; reading the slope is a host synchronisation on
    a GPU, so there the PReLU runs out of place. Any other module is simply called. ``x`` must be
    a tensor the caller owns (e.g. the fresh output of the layer before).
    """
    if isinstance(activation, nn.ReLU):
        return functional.relu_(x)
    if isinstance(activation, nn.LeakyReLU):
        return functional.leaky_relu_(x, activation.negative_slope)
    if (
        isinstance(activation, nn.PReLU)
        and activation.num_parameters == 1
        and activation.weight.device.type == "cpu"
    ):
        return functional.leaky_relu_(x, float(activation.weight))
    output: Tensor = activation(x)
    return output


def sequential_(layers: Iterable[nn.Module], x: Tensor) -> Tensor:
    """Apply ``layers`` in order, each activation in place on the output of the layer before.

    ``x`` itself is never written: a leading activation runs out of place.
    """
    output = x
    for layer in layers:
        output = layer(output) if output is x else activate_(layer, output)
    return output


def add_scaled_(branch: Tensor, skip: Tensor, scale: float = 1.0) -> Tensor:
    """``skip + scale * branch``, written into ``branch`` (which the caller owns)."""
    if scale != 1.0:
        branch.mul_(scale)
    return branch.add_(skip)
