"""Inference-only forms of a network, chosen once per layer by :func:`prepare_inference`.

Without autograd nothing keeps a layer's output for a backward pass, so a network can run in
faster forms that give the same values:

- **in place**: an activation or a residual addition writes into the fresh output of the
  convolution before it instead of allocating another map of the same size (on a CPU that saves a
  memory pass and the page faults of a fresh allocation per element-wise op); only maps the module
  made itself are written, never the caller's tensors;
- **bands**: the upsampling part of an SR network runs over bands of its input with the receptive
  field as context (:mod:`gan_engine.nn.reconstruction`, :mod:`gan_engine.nn.banded`), so its
  ``scale**d`` times larger maps never exist for a whole tile at once.

A layer with such forms subclasses :class:`InferenceForms` and reads its ``inference_form`` flag
in ``forward``. The flag is off when the layer is built, set by :func:`prepare_inference` (which
the :class:`~gan_engine.inference.predictor.Predictor` calls on eager models) and cleared by
``train()``: the decision is made once, not on every forward from the global autograd state.
A prepared model should be called under ``torch.inference_mode()`` or ``torch.no_grad()``; it is
never prepared for ``torch.compile``, tracing or export, which see the plain out-of-place code.

A network written plainly, with no such forms, is untouched by :func:`prepare_inference` and runs
as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self, TypeVar

from torch import Tensor, nn
from torch.nn import functional

ModuleT = TypeVar("ModuleT", bound=nn.Module)


class InferenceForms(nn.Module):
    """An ``nn.Module`` with inference-only forms, switched by :func:`prepare_inference`.

    Attributes:
        inference_form: run the inference-only forms (set by :func:`prepare_inference`, cleared
            by ``train()``); ``False`` on construction.
    """

    inference_form: bool

    def __init__(self) -> None:
        super().__init__()
        self.inference_form = False

    def train(self, mode: bool = True) -> Self:
        """Set training mode; training mode also switches the inference forms off."""
        if mode:
            self.inference_form = False
        return super().train(mode)


def prepare_inference(model: ModuleT, *, enabled: bool = True) -> ModuleT:
    """Put ``model`` in eval mode and switch every layer's inference forms on (or off).

    Call it once, before running the model under ``torch.inference_mode()``; ``enabled=False``
    goes back to the plain forms (for compiling, tracing or export). Layers without inference
    forms (plain modules) are left as they are. Returns ``model``.
    """
    if enabled:
        model.eval()
    for module in model.modules():
        if isinstance(module, InferenceForms):
            module.inference_form = enabled
    return model


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


def run_layers(layers: Iterable[nn.Module], x: Tensor, *, in_place: bool) -> Tensor:
    """``layers`` in order: in place (:func:`sequential_`) when ``in_place``, else as written."""
    if in_place:
        return sequential_(layers, x)
    for layer in layers:
        x = layer(x)
    return x


def add_scaled_(branch: Tensor, skip: Tensor, scale: float = 1.0) -> Tensor:
    """``skip + scale * branch``, written into ``branch`` (which the caller owns)."""
    if scale != 1.0:
        branch.mul_(scale)
    return branch.add_(skip)


def add_scaled(branch: Tensor, skip: Tensor, scale: float = 1.0, *, in_place: bool) -> Tensor:
    """``skip + scale * branch``: into ``branch`` (:func:`add_scaled_`) when ``in_place``."""
    if in_place:
        return add_scaled_(branch, skip, scale)
    return skip + scale * branch if scale != 1.0 else skip + branch
