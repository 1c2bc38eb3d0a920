"""A generator between its normaliser's two halves: sensor units in, sensor units out."""

from __future__ import annotations

from torch import Tensor, nn

from gan_engine.protocols import Generator, Normaliser
from gan_engine.types import Conditioning


def as_module(component: object, role: str) -> nn.Module:
    """``component`` itself, checked to be a ``torch.nn.Module`` (so it moves between devices)."""
    if not isinstance(component, nn.Module):
        msg = f"the {role} must be a torch.nn.Module, got {type(component).__qualname__}"
        raise TypeError(msg)
    return component


class SensorUnitsModel(nn.Module):
    """``forward(lr[B, C_in, *S])`` in sensor units → ``sr[B, C_out, *(S * scale)]`` in sensor units.

    Normalises with the ``lr`` branch, runs the generator and denormalises with the ``hr`` branch, as
    the training module does for validation.
    """

    def __init__(self, generator: Generator, normaliser: Normaliser) -> None:
        super().__init__()
        self.generator = as_module(generator, "generator")
        self.normaliser = as_module(normaliser, "normaliser")
        self._g: Generator = generator
        self._norm: Normaliser = normaliser

    def forward(self, lr: Tensor) -> Tensor:
        """Super-resolve ``lr`` given in sensor units."""
        return self._norm.denormalise(self._g(self._norm.normalise(lr, "lr")), "hr")


class HoleFillingModel(SensorUnitsModel):
    """``forward(x[B, C_in + 1, *S])`` in sensor units, the last channel the holes (1 = missing).

    The holes are zeroed in the normalised input and handed to the generator in ``cond.holes``, as
    the inpainting and gap-filling tasks do in training.
    """

    def forward(self, lr: Tensor) -> Tensor:
        """Fill and (for gap-filling) super-resolve ``lr[:, :-1]`` with the holes ``lr[:, -1:]``."""
        image, holes = lr[:, :-1], lr[:, -1:]
        normalised = self._norm.normalise(image, "lr") * (1.0 - holes)
        return self._norm.denormalise(self._g(normalised, Conditioning(holes=holes)), "hr")


class NetworkUnitsModel(nn.Module):
    """``forward(lr)`` → ``generator(lr)``: the bare generator with a single tensor argument (export)."""

    def __init__(self, generator: Generator) -> None:
        super().__init__()
        self.generator = as_module(generator, "generator")
        self._g: Generator = generator

    def forward(self, lr: Tensor) -> Tensor:
        """Super-resolve ``lr`` given in network units."""
        return self._g(lr)
