"""Blur stages: a random kernel per sample from the Gaussian family (or a sinc), and a sinc stage.

Sigmas are in pixels of the image the stage receives. Kernel types: ``iso`` / ``aniso`` (Gaussian),
``generalized_iso`` / ``generalized_aniso`` (``exp(-q^β/2)``), ``plateau_iso`` / ``plateau_aniso``
(``1/(1+q^β)``). In 2D an anisotropic kernel draws two sigmas and a rotation; in 3D it draws one
sigma per axis, and ``sigma_depth`` (when given) draws the slice-axis sigma separately for every
kernel type, for volumes whose slices are thicker than their pixels.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import torch
from torch import Tensor

from gan_engine.degradations.kernels import (
    Shape,
    filter_per_sample,
    pad_kernel,
    shaped_kernel,
    sinc_kernel,
)
from gan_engine.degradations.random import SampleRandom
from gan_engine.degradations.ranges import Range, range_within, split_weights, weights_over
from gan_engine.errors import InvalidParamError
from gan_engine.param_validators import in_range
from gan_engine.registry import Capabilities, register_degradation
from gan_engine.types import SpatialDims

KERNEL_TYPES = (
    "iso",
    "aniso",
    "generalized_iso",
    "generalized_aniso",
    "plateau_iso",
    "plateau_aniso",
)
_SHAPES: dict[str, Shape] = {"iso": "gaussian", "generalized": "generalized", "plateau": "plateau"}


def _odd_range(instance: Any, attribute: attrs.Attribute[Any], value: tuple[int, int]) -> None:
    low, high = value
    if low < 1 or low > high or low % 2 == 0 or high % 2 == 0:
        msg = f"expected [low, high] of odd sizes with 1 <= low <= high, got [{low}, {high}]"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class BlurParams:
    """A random blur kernel per sample (Real-ESRGAN's first-order defaults).

    Attributes:
        kernels: probability of each kernel type (summing to 1).
        sigma: range of the sigmas, in pixels.
        sigma_depth: 3D only: range of the slice-axis sigma (``None``: drawn like the others).
        beta_generalized: range of ``β`` of the generalised Gaussian.
        beta_plateau: range of ``β`` of the plateau kernel.
        kernel_size: range of the odd kernel size, per axis (keep it small in 3D: cost is size³).
        sinc_probability: probability of a sinc (ringing) kernel instead.
    """

    kernels: dict[str, float] = attrs.field(
        factory=lambda: {
            "iso": 0.45,
            "aniso": 0.25,
            "generalized_iso": 0.12,
            "generalized_aniso": 0.03,
            "plateau_iso": 0.12,
            "plateau_aniso": 0.03,
        },
        validator=weights_over(KERNEL_TYPES),
    )
    sigma: Range = attrs.field(default=(0.2, 3.0), validator=range_within(1e-3, 100.0))
    sigma_depth: Range | None = attrs.field(default=None, validator=range_within(1e-3, 100.0))
    beta_generalized: Range = attrs.field(default=(0.5, 4.0), validator=range_within(0.05, 10.0))
    beta_plateau: Range = attrs.field(default=(1.0, 2.0), validator=range_within(0.05, 10.0))
    kernel_size: tuple[int, int] = attrs.field(default=(7, 21), validator=_odd_range)
    sinc_probability: float = attrs.field(default=0.1, validator=in_range(0.0, 1.0))


def random_sinc(random: SampleRandom, index: int, size: int, dims: int) -> Tensor:
    """A sinc kernel with Real-ESRGAN's cut-off rule: ``[π/3, π]`` below size 13, else ``[π/5, π]``."""
    low = math.pi / 3 if size < 13 else math.pi / 5
    cutoff = float(random.uniform(low, math.pi)[index])
    return sinc_kernel(size, cutoff, dims)


@register_degradation("blur", params=BlurParams, capabilities=Capabilities())
class RandomBlur:
    """Blur every sample with its own random kernel (Gaussian family or sinc), any band count, 2D/3D."""

    batch_level = False

    def __init__(self, spatial_dims: SpatialDims, channels: int, params: BlurParams) -> None:
        self.spatial_dims = spatial_dims
        self.params = params

    def kernel(self, random: SampleRandom, index: int) -> Tensor:
        """The kernel of sample ``index`` (float64, odd size per axis, sum 1)."""
        p = self.params
        low, high = p.kernel_size
        size = 2 * random.integers(low // 2, high // 2)[index] + 1
        if bool(random.bernoulli(p.sinc_probability)[index]):
            return random_sinc(random, index, size, self.spatial_dims)
        names, weights = split_weights(p.kernels)
        name = names[random.choice(weights)[index]]
        family, _, isotropy = name.rpartition("_")
        shape = _SHAPES[family or "iso"]
        first = float(random.uniform(*p.sigma)[index])
        others = [
            float(v[index])
            for v in (random.uniform(*p.sigma) for _ in range(self.spatial_dims - 1))
        ]
        sigmas = (
            [first] * self.spatial_dims if isotropy == "iso" or name == "iso" else [first, *others]
        )
        if self.spatial_dims == 3 and p.sigma_depth is not None:
            sigmas[0] = float(random.uniform(*p.sigma_depth)[index])
        rotation = float(random.uniform(-math.pi, math.pi)[index])
        beta_range = p.beta_generalized if shape == "generalized" else p.beta_plateau
        beta = float(random.uniform(*beta_range)[index])
        return shaped_kernel(shape, size, sigmas, rotation, beta)

    def kernels(self, seeds: Tensor) -> Tensor:
        """One kernel per sample, zero-padded to a common size: ``[B, *K]`` float64."""
        kernels = []
        for index in range(len(seeds)):
            # A stream per sample: drawing for one sample never shifts another's draws.
            random = SampleRandom(seeds[index : index + 1], torch.device("cpu"))
            kernels.append(self.kernel(random, 0))
        size = max(k.shape[-1] for k in kernels)
        return torch.stack([pad_kernel(k, size) for k in kernels])

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Blur ``image`` per sample."""
        return filter_per_sample(image, self.kernels(seeds)), target


@attrs.frozen(kw_only=True)
class SincParams:
    """A sinc (ideal low-pass) filter per sample: ringing and overshoot as from real resamplers.

    Attributes:
        cutoff: range of the cut-off as a fraction of π (1: no filtering beyond the grid's own).
        kernel_size: range of the odd kernel size per axis.
    """

    cutoff: Range = attrs.field(default=(1 / 3, 1.0), validator=range_within(1e-3, 1.0))
    kernel_size: tuple[int, int] = attrs.field(default=(7, 21), validator=_odd_range)


@register_degradation("sinc", params=SincParams, capabilities=Capabilities())
class RandomSinc:
    """Filter every sample with an isotropic sinc of random cut-off (Real-ESRGAN's final sinc)."""

    batch_level = False

    def __init__(self, spatial_dims: SpatialDims, channels: int, params: SincParams) -> None:
        self.spatial_dims = spatial_dims
        self.params = params

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Filter ``image`` per sample."""
        p = self.params
        random = SampleRandom(seeds, torch.device("cpu"))
        sizes = [2 * k + 1 for k in random.integers(p.kernel_size[0] // 2, p.kernel_size[1] // 2)]
        cutoffs = random.uniform(*p.cutoff).tolist()
        kernels = [
            sinc_kernel(size, math.pi * cutoff, self.spatial_dims)
            for size, cutoff in zip(sizes, cutoffs, strict=True)
        ]
        size = max(sizes)
        return filter_per_sample(image, torch.stack([pad_kernel(k, size) for k in kernels])), target
