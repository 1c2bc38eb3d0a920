"""Stages that are not blur, resize, noise or compression: target sharpening, quantisation, the pool.

- ``sharpen_target``: unsharp mask on the HR target (Real-ESRGAN's sharpened-target option: the
  generator learns to produce slightly sharper images than the originals);
- ``quantise``: round the image to integer levels, as if saved to an 8- or 16-bit file;
- ``pool``: Real-ESRGAN's training-pair queue, mixing degradations across batches.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import torch
from torch import Tensor

from gan_engine.degradations.kernels import filter_per_sample
from gan_engine.degradations.random import batch_generator
from gan_engine.errors import InvalidParamError
from gan_engine.nn.gaussian import gaussian_kernel
from gan_engine.param_validators import at_least, in_range
from gan_engine.registry import Capabilities, register_degradation
from gan_engine.types import SpatialDims


def gaussian_same(x: Tensor, sigma: float, max_radius: int = 50) -> Tensor:
    """Gaussian blur of ``x[B, C, *S]`` (2D or 3D) keeping the size; borders reflect."""
    # Beyond the image size a wider kernel adds nothing but cost.
    radius = min(max_radius, max(x.shape[2:]) - 1, max(1, math.ceil(3 * sigma)))
    line = gaussian_kernel(2 * radius + 1, sigma, dtype=torch.float64)
    dims = x.ndim - 2
    kernel = line
    for _ in range(dims - 1):
        kernel = kernel.unsqueeze(-1) * line
    return filter_per_sample(x, kernel.expand(x.shape[0], *kernel.shape))


def unsharp_mask(x: Tensor, weight: float, sigma: float, threshold: float) -> Tensor:
    """Sharpen ``x`` in ``[0, 1]``: add ``weight ×`` its detail where the detail exceeds ``threshold``.

    The threshold mask is itself blurred so sharpened and untouched regions blend smoothly.
    """
    detail = x - gaussian_same(x, sigma)
    mask = gaussian_same((detail.abs() > threshold).to(x.dtype), sigma)
    sharp = (x + weight * detail).clamp(0, 1)
    return mask * sharp + (1 - mask) * x


@attrs.frozen(kw_only=True)
class SharpenParams:
    """Unsharp masking of the target (BasicSR's ``USMSharp`` defaults: radius 50 → σ 15.5).

    Attributes:
        weight: how much of the detail is added (0: the target is unchanged).
        sigma: the Gaussian's sigma, in HR pixels.
        threshold: details smaller than this (fraction of the data range) are left alone.
        input_too: also sharpen the image being degraded while it still has the target's size
            (Real-ESRGAN degrades the sharpened image).
    """

    weight: float = attrs.field(default=0.5, validator=in_range(0.0, 4.0))
    sigma: float = attrs.field(default=15.5, validator=in_range(0.0, 100.0, low_open=True))
    threshold: float = attrs.field(default=10 / 255, validator=in_range(0.0, 1.0))
    input_too: bool = True


@register_degradation("sharpen_target", params=SharpenParams, capabilities=Capabilities())
class SharpenTarget:
    """Sharpen the HR target with an unsharp mask (and the input while it has the same size)."""

    batch_level = False

    def __init__(self, spatial_dims: SpatialDims, channels: int, params: SharpenParams) -> None:
        self.params = params

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Sharpen ``target`` (and ``image`` when ``input_too`` and their sizes match)."""
        p = self.params
        if p.weight == 0:
            return image, target
        sharp = unsharp_mask(target, p.weight, p.sigma, p.threshold)
        if p.input_too and image.shape == target.shape:
            same = image is target or torch.equal(image, target)
            image = sharp if same else unsharp_mask(image, p.weight, p.sigma, p.threshold)
        return image, sharp


@attrs.frozen(kw_only=True)
class QuantiseParams:
    """Rounding to integer levels.

    Attributes:
        levels: the number of steps over the data range (255 for 8-bit, 65535 for 16-bit).
    """

    levels: int = attrs.field(default=255, validator=at_least(1))


@register_degradation("quantise", params=QuantiseParams, capabilities=Capabilities())
class Quantise:
    """Round the image to ``levels`` steps over the data range (as saved to an integer file)."""

    batch_level = False

    def __init__(self, spatial_dims: SpatialDims, channels: int, params: QuantiseParams) -> None:
        self.levels = params.levels

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Round ``image``."""
        return torch.round(image.clamp(0, 1) * self.levels) / self.levels, target


def _positive_size(instance: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise InvalidParamError(attribute.name, f"must be >= 1, got {value}")


@attrs.frozen(kw_only=True)
class PoolParams:
    """Real-ESRGAN's training-pair pool.

    Attributes:
        queue_size: pairs kept in the pool; a multiple of ``Data.batch_size`` (checked at load).
    """

    queue_size: int = attrs.field(default=180, validator=_positive_size)


@register_degradation("pool", params=PoolParams, capabilities=Capabilities())
class PairPool:
    """A pool of finished pairs: each batch swaps places with random pooled pairs (training only).

    Until the pool is full, batches go into it and come out unchanged; then every batch is swapped
    with the first ``B`` pairs of the shuffled pool, so a batch mixes degradations (and images) of
    earlier batches. The shuffle is drawn from the batch's seeds. The pool is not checkpointed: a
    resumed run refills it. Must be the last stage.
    """

    batch_level = True

    def __init__(self, spatial_dims: SpatialDims, channels: int, params: PoolParams) -> None:
        self.queue_size = params.queue_size
        self.images: Tensor | None = None
        self.targets: Tensor | None = None
        self.filled = 0

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Return a batch from the pool and put this one in."""
        b = image.shape[0]
        if self.queue_size % b:
            msg = f"pool queue_size {self.queue_size} is not a multiple of the batch size {b}"
            raise ValueError(msg)
        if self.images is None or self.targets is None or self.images.shape[1:] != image.shape[1:]:
            self.images = image.new_empty((self.queue_size, *image.shape[1:]))
            self.targets = target.new_empty((self.queue_size, *target.shape[1:]))
            self.filled = 0
        if self.filled < self.queue_size:
            self.images[self.filled : self.filled + b] = image.detach()
            self.targets[self.filled : self.filled + b] = target.detach()
            self.filled += b
            return image, target
        order = torch.randperm(self.queue_size, generator=batch_generator(seeds, 2))
        order = order.to(self.images.device)
        self.images, self.targets = self.images[order], self.targets[order]
        out_image, out_target = self.images[:b].clone(), self.targets[:b].clone()
        self.images[:b], self.targets[:b] = image.detach(), target.detach()
        return out_image, out_target
