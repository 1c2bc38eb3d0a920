"""Noise stages matched to the modality, in units of the data range (1 = the full range).

- ``gaussian_noise``: additive, independent per band, correlated across bands, or identical on every
  band (Real-ESRGAN's "gray" noise);
- ``poisson_noise``: photon counting, ``Poisson(x · peak) / peak`` (variance = mean in counts);
- ``poisson_gaussian_noise``: photon counting plus Gaussian read noise (microscopy, cameras);
- ``rician_noise``: magnitude of a complex signal with Gaussian noise on both parts (MRI);
- ``speckle_noise``: multiplicative fully developed speckle of ``L`` looks, ``x · Gamma(L, 1/L)`` (SAR
  intensity).

Each sample draws its own strength and its own noise field from its seed; results are clamped to
``[0, 1]`` (a file cannot hold values outside its range).
"""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from gan_engine.degradations.random import SampleRandom
from gan_engine.degradations.ranges import Range, range_within
from gan_engine.errors import InvalidParamError
from gan_engine.param_validators import in_range
from gan_engine.registry import Capabilities, register_degradation
from gan_engine.types import SpatialDims


def _per_sample(values: Tensor, like: Tensor) -> Tensor:
    """``[B]`` values shaped to broadcast over ``like[B, C, *S]``."""
    return values.to(dtype=like.dtype, device=like.device).reshape(-1, *([1] * (like.ndim - 1)))


@attrs.frozen(kw_only=True)
class GaussianNoiseParams:
    """Additive Gaussian noise (Real-ESRGAN's first-order defaults: 1 to 30 levels of 255).

    Attributes:
        sigma: range of the standard deviation, as a fraction of the data range.
        shared_probability: probability that one noise field is added to every band.
        correlation: otherwise, the correlation of the noise between bands (0: independent).
    """

    sigma: Range = attrs.field(default=(1 / 255, 30 / 255), validator=range_within(0.0, 1.0))
    shared_probability: float = attrs.field(default=0.4, validator=in_range(0.0, 1.0))
    correlation: float = attrs.field(default=0.0, validator=in_range(0.0, 1.0))


@register_degradation("gaussian_noise", params=GaussianNoiseParams, capabilities=Capabilities())
class GaussianNoise:
    """Add Gaussian noise per sample: per band, correlated across bands, or shared by every band."""

    batch_level = False

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, params: GaussianNoiseParams
    ) -> None:
        self.params = params

    def noise(self, image: Tensor, seeds: Tensor) -> Tensor:
        """The noise field ``[B, C, *S]`` (before clamping)."""
        p = self.params
        random = SampleRandom(seeds, image.device)
        sigma = _per_sample(random.uniform(*p.sigma), image)
        shared = random.bernoulli(p.shared_probability)
        rho = torch.where(shared, 1.0, p.correlation).to(dtype=image.dtype, device=image.device)
        rho = rho.reshape(sigma.shape)
        fields = random.normal((image.shape[1] + 1, *image.shape[2:]), image.dtype)
        common, independent = fields[:, :1], fields[:, 1:]
        return sigma * (rho.sqrt() * common + (1 - rho).sqrt() * independent)

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Add the noise and clamp to ``[0, 1]``."""
        return (image + self.noise(image, seeds)).clamp(0, 1), target


@attrs.frozen(kw_only=True)
class PoissonNoiseParams:
    """Photon-counting noise: ``peak`` counts at the full range.

    Attributes:
        peak: range of the counts at the full data range, drawn log-uniformly (larger: less noise).
        shared_probability: probability that the noise of the band mean is added to every band.
    """

    peak: Range = attrs.field(default=(25.0, 1e5), validator=range_within(1e-3, 1e9))
    shared_probability: float = attrs.field(default=0.4, validator=in_range(0.0, 1.0))


def poisson_noise(image: Tensor, peak: Tensor, shared: Tensor, random: SampleRandom) -> Tensor:
    """Poisson noise fields of ``image`` ``[B, C, *S]`` for ``peak`` ``[B]`` (shared: from the band mean)."""
    peaks = _per_sample(peak, image)
    source = torch.where(_per_sample(shared, image).bool(), image.mean(1, keepdim=True), image)
    rates = (source.clamp(min=0) * peaks).float()
    return (random.poisson(rates).to(image.dtype) / peaks) - source


@register_degradation("poisson_noise", params=PoissonNoiseParams, capabilities=Capabilities())
class PoissonNoise:
    """Replace values by Poisson counts of ``x · peak`` (divided back by ``peak``)."""

    batch_level = False

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, params: PoissonNoiseParams
    ) -> None:
        self.params = params

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Add the counting noise and clamp to ``[0, 1]``."""
        p = self.params
        random = SampleRandom(seeds, image.device)
        peak = random.log_uniform(*p.peak)
        shared = random.bernoulli(p.shared_probability)
        return (image + poisson_noise(image, peak, shared, random)).clamp(0, 1), target


@attrs.frozen(kw_only=True)
class PoissonGaussianNoiseParams:
    """Photon counting plus Gaussian read noise (fluorescence microscopy, camera sensors).

    Attributes:
        peak: range of the counts at the full data range, drawn log-uniformly.
        sigma: range of the read noise's standard deviation, as a fraction of the data range.
    """

    peak: Range = attrs.field(default=(50.0, 5000.0), validator=range_within(1e-3, 1e9))
    sigma: Range = attrs.field(default=(0.0, 0.02), validator=range_within(0.0, 1.0))


@register_degradation(
    "poisson_gaussian_noise", params=PoissonGaussianNoiseParams, capabilities=Capabilities()
)
class PoissonGaussianNoise:
    """Poisson counts of ``x · peak`` plus Gaussian read noise, independent per band."""

    batch_level = False

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, params: PoissonGaussianNoiseParams
    ) -> None:
        self.params = params

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Add both noises and clamp to ``[0, 1]``."""
        p = self.params
        random = SampleRandom(seeds, image.device)
        peak = random.log_uniform(*p.peak)
        sigma = _per_sample(random.uniform(*p.sigma), image)
        shared = torch.zeros(len(seeds), dtype=torch.bool)
        counting = poisson_noise(image, peak, shared, random)
        read = sigma * random.normal(image.shape[1:], image.dtype)
        return (image + counting + read).clamp(0, 1), target


@attrs.frozen(kw_only=True)
class RicianNoiseParams:
    """Rician noise: ``sqrt((x + σ n₁)² + (σ n₂)²)``, the magnitude of a noisy complex MRI signal.

    Attributes:
        sigma: range of ``σ``, as a fraction of the data range.
    """

    sigma: Range = attrs.field(default=(0.005, 0.05), validator=range_within(0.0, 1.0))


@register_degradation("rician_noise", params=RicianNoiseParams, capabilities=Capabilities())
class RicianNoise:
    """Rician noise per sample (the background gains a positive mean ``σ √(π/2)``)."""

    batch_level = False

    def __init__(self, spatial_dims: SpatialDims, channels: int, params: RicianNoiseParams) -> None:
        self.params = params

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Take the noisy magnitude and clamp to ``[0, 1]``."""
        random = SampleRandom(seeds, image.device)
        sigma = _per_sample(random.uniform(*self.params.sigma), image)
        fields = random.normal((2, *image.shape[1:]), image.dtype)
        real = image + sigma * fields[:, 0]
        imaginary = sigma * fields[:, 1]
        return torch.sqrt(real**2 + imaginary**2).clamp(0, 1), target


def _looks_range(
    instance: object, attribute: attrs.Attribute[tuple[int, int]], value: tuple[int, int]
) -> None:
    low, high = value
    if not 1 <= low <= high <= 64:
        msg = f"expected [low, high] with 1 <= low <= high <= 64, got [{low}, {high}]"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class SpeckleNoiseParams:
    """Multiplicative speckle of SAR intensity images: ``x · Gamma(L, 1/L)`` (mean 1, variance ``1/L``).

    Attributes:
        looks: range of the number of looks ``L`` (integers; 1: single-look, strongest).
    """

    looks: tuple[int, int] = attrs.field(default=(1, 8), validator=_looks_range)


@register_degradation("speckle_noise", params=SpeckleNoiseParams, capabilities=Capabilities())
class SpeckleNoise:
    """Multiply by unit-mean Gamma speckle of a random number of looks per sample."""

    batch_level = False

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, params: SpeckleNoiseParams
    ) -> None:
        self.params = params

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Multiply by the speckle and clamp to ``[0, 1]``."""
        random = SampleRandom(seeds, image.device)
        looks = random.integers(*self.params.looks)
        most = max(looks)
        # Gamma(L, 1/L) is the mean of L unit exponentials; extra draws beyond a sample's L are masked.
        uniforms = random.rand((most, *image.shape[1:]), image.dtype)
        exponentials = -torch.log1p(-uniforms)
        counts = torch.tensor(looks, device=image.device)
        used = torch.arange(most, device=image.device).unsqueeze(0) < counts.unsqueeze(1)
        used = used.reshape(*used.shape, *([1] * (image.ndim - 1))).to(image.dtype)
        speckle = (exponentials * used).sum(1) / _per_sample(counts.to(torch.float64), image)
        return (image * speckle).clamp(0, 1), target
