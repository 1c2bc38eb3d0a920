"""Real-ESRGAN's second-order degradation as one named stage, for any band count, in 2D and 3D.

Two rounds of blur → random resize → Gaussian or Poisson noise → JPEG, the second round's blur taken
with probability 0.8 and its resize relative to the LR size; then, in a random order per batch,
[resize to the LR size + sinc (p = 0.8)] and JPEG; then 8-bit quantisation. Defaults are those of
Real-ESRGAN's x4plus training option files. Real-ESRGAN's Poisson ``scale`` ``s`` (on 8-bit images)
gives the noise of ``peak = 256 / s²`` here; the defaults span the same noise levels, drawn
log-uniformly. ``sharpen_target`` sharpens the target (and the image degraded from it) first.
"""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from gan_engine.degradations.blur import BlurParams, RandomBlur, RandomSinc, SincParams
from gan_engine.degradations.jpeg import JPEGCompression, JPEGParams
from gan_engine.degradations.noise import (
    GaussianNoise,
    GaussianNoiseParams,
    PoissonNoise,
    PoissonNoiseParams,
)
from gan_engine.degradations.pipeline import apply_with_probability
from gan_engine.degradations.random import SampleRandom, batch_generator, derive_seeds
from gan_engine.degradations.resize import (
    RandomResize,
    ResizeParams,
    ResizeTargetParams,
    ResizeToTarget,
)
from gan_engine.degradations.target import SharpenParams, SharpenTarget
from gan_engine.errors import InvalidParamError
from gan_engine.param_validators import in_range
from gan_engine.protocols import DegradationStage
from gan_engine.registry import Capabilities, register_degradation
from gan_engine.types import BuildContext, SpatialDims


@attrs.frozen(kw_only=True)
class RoundParams:
    """One round: blur, resize, noise (Gaussian or Poisson), JPEG.

    Attributes:
        blur_probability: probability of the blur.
        blur: the blur kernels.
        resize: the random resize.
        gaussian_probability: probability of Gaussian noise; Poisson noise otherwise.
        gaussian_noise: the Gaussian noise.
        poisson_noise: the Poisson noise.
        jpeg: the JPEG compression.
    """

    blur_probability: float = attrs.field(default=1.0, validator=in_range(0.0, 1.0))
    blur: BlurParams = attrs.field(factory=BlurParams)
    resize: ResizeParams = attrs.field(factory=ResizeParams)
    gaussian_probability: float = attrs.field(default=0.5, validator=in_range(0.0, 1.0))
    gaussian_noise: GaussianNoiseParams = attrs.field(factory=GaussianNoiseParams)
    poisson_noise: PoissonNoiseParams = attrs.field(
        factory=lambda: PoissonNoiseParams(peak=(256 / 3.0**2, 256 / 0.05**2))
    )
    jpeg: JPEGParams = attrs.field(factory=JPEGParams)


def _second_round() -> RoundParams:
    return RoundParams(
        blur_probability=0.8,
        blur=BlurParams(sigma=(0.2, 1.5)),
        resize=ResizeParams(
            directions={"up": 0.3, "down": 0.4, "keep": 0.3},
            up=(1.0, 1.2),
            down=(0.3, 1.0),
            relative_to="target",
        ),
        gaussian_noise=GaussianNoiseParams(sigma=(1 / 255, 25 / 255)),
        poisson_noise=PoissonNoiseParams(peak=(256 / 2.5**2, 256 / 0.05**2)),
    )


@attrs.frozen(kw_only=True)
class RealESRGANParams:
    """Real-ESRGAN's second-order pipeline.

    Attributes:
        first: the first round.
        second: the second round (resize relative to the LR size).
        final_sinc_probability: probability of the sinc filter after the final resize.
        final_sinc: the final sinc filter.
        final_resize: the interpolations of the resize to the LR size.
        sharpen_target: unsharp-mask the target first (``null``: keep the original target).
        levels: round the LR to this many levels over the data range (``null``: no rounding).
    """

    first: RoundParams = attrs.field(factory=RoundParams)
    second: RoundParams = attrs.field(factory=_second_round)
    final_sinc_probability: float = attrs.field(default=0.8, validator=in_range(0.0, 1.0))
    final_sinc: SincParams = attrs.field(factory=SincParams)
    final_resize: ResizeTargetParams = attrs.field(factory=ResizeTargetParams)
    sharpen_target: SharpenParams | None = None
    levels: int | None = 255

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Interpolations must exist in the run's dims; JPEG codecs must fit the band count."""
        errors: list[InvalidParamError] = []
        for name, part in (("first", self.first), ("second", self.second)):
            errors += [
                InvalidParamError(f"{name}.resize.{e.key}", e.message)
                for e in part.resize.check(context)
            ]
            errors += [
                InvalidParamError(f"{name}.jpeg.{e.key}", e.message)
                for e in part.jpeg.check(context)
            ]
        errors += [
            InvalidParamError(f"final_resize.{e.key}", e.message)
            for e in self.final_resize.check(context)
        ]
        return errors


class _Round:
    def __init__(self, dims: SpatialDims, channels: int, params: RoundParams) -> None:
        self.params = params
        self.blur = RandomBlur(dims, channels, params.blur)
        self.resize = RandomResize(dims, channels, params.resize)
        self.gaussian = GaussianNoise(dims, channels, params.gaussian_noise)
        self.poisson = PoissonNoise(dims, channels, params.poisson_noise)
        self.jpeg = JPEGCompression(dims, channels, params.jpeg)

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        p = self.params
        image, target = apply_with_probability(
            self.blur, p.blur_probability, image, target, seeds, scale, 0
        )
        image, target = apply_with_probability(self.resize, 1.0, image, target, seeds, scale, 1)
        gaussian = SampleRandom(derive_seeds(seeds, 2), torch.device("cpu")).bernoulli(
            p.gaussian_probability
        )
        picks: list[tuple[DegradationStage, Tensor]] = [
            (self.gaussian, gaussian),
            (self.poisson, ~gaussian),
        ]
        for salt, (stage, chosen) in enumerate(picks, start=3):
            if bool(chosen.any()):
                index = chosen.nonzero().squeeze(1).to(image.device)
                noisy, _ = stage(
                    image[index], target[index], derive_seeds(seeds[chosen], salt), scale
                )
                image = image.clone()
                image[index] = noisy
        return apply_with_probability(self.jpeg, 1.0, image, target, seeds, scale, 5)


@register_degradation("realesrgan", params=RealESRGANParams, capabilities=Capabilities())
class RealESRGANDegradation:
    """Real-ESRGAN's second-order degradation (two rounds, then sinc/JPEG in random order), as a preset."""

    batch_level = True

    def __init__(self, spatial_dims: SpatialDims, channels: int, params: RealESRGANParams) -> None:
        self.params = params
        self.rounds = (
            _Round(spatial_dims, channels, params.first),
            _Round(spatial_dims, channels, params.second),
        )
        self.sinc = RandomSinc(spatial_dims, channels, params.final_sinc)
        self.resize = ResizeToTarget(spatial_dims, channels, params.final_resize)
        self.jpeg = JPEGCompression(spatial_dims, channels, params.second.jpeg)
        sharpen = params.sharpen_target
        self.sharpen = None if sharpen is None else SharpenTarget(spatial_dims, channels, sharpen)

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Degrade ``image`` (the target's size) to the LR size; sharpen ``target`` if asked."""
        if self.sharpen is not None:
            image, target = self.sharpen(image, target, seeds, scale)
        for salt, round_ in enumerate(self.rounds):
            image, target = round_(image, target, derive_seeds(seeds, 10 + salt), scale)
        sinc_p = self.params.final_sinc_probability
        jpeg_first = bool(torch.rand((), generator=batch_generator(seeds, 3)) < 0.5)
        steps: list[tuple[DegradationStage, float]] = [(self.resize, 1.0), (self.sinc, sinc_p)]
        steps = [(self.jpeg, 1.0), *steps] if jpeg_first else [*steps, (self.jpeg, 1.0)]
        for salt, (stage, p) in enumerate(steps, start=20):
            image, target = apply_with_probability(stage, p, image, target, seeds, scale, salt)
        levels = self.params.levels
        if levels is not None:
            image = torch.round(image.clamp(0, 1) * levels) / levels
        return image, target
