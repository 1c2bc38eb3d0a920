"""Spectral losses for multi-band data: spectral angle (SAM) and per-band histogram matching."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.losses.reduction import (
    band_weights_for,
    check_band_weights,
    validate_weights,
    weighted_mean,
)
from gan_engine.params import in_range
from gan_engine.protocols import LossContext
from gan_engine.registry import register_loss
from gan_engine.types import BuildContext

_INF = float("inf")


def _check_shapes(name: str, sr: Tensor, hr: Tensor) -> None:
    if sr.shape != hr.shape:
        msg = f"{name}: sr and hr must have the same shape, got {tuple(sr.shape)} and {tuple(hr.shape)}"
        raise ValueError(msg)


def spectral_angle(a: Tensor, b: Tensor, eps: float) -> Tensor:
    """Angle in radians between the band vectors of ``a`` and ``b`` ``[B, C, *S]``: ``[B, 1, *S]``.

    Uses ``2 · atan2(‖â - b̂‖, ‖â + b̂‖)`` with ``â = a / ‖a‖`` (Kahan's formula), accurate near 0 and π
    where ``acos`` of the cosine loses precision and has an infinite slope. Norms are
    ``sqrt(Σ x² + eps²)``, so a zero vector gives π/2 against anything and finite gradients; identical
    vectors give about ``eps``-sized angles, not exactly 0.
    """
    a_unit = a / torch.sqrt(a.square().sum(dim=1, keepdim=True) + eps * eps)
    b_unit = b / torch.sqrt(b.square().sum(dim=1, keepdim=True) + eps * eps)
    apart = torch.sqrt((a_unit - b_unit).square().sum(dim=1, keepdim=True) + eps * eps)
    together = torch.sqrt((a_unit + b_unit).square().sum(dim=1, keepdim=True) + eps * eps)
    return 2.0 * torch.atan2(apart, together)


@attrs.frozen(kw_only=True)
class SAMParams:
    """Parameters of :class:`SAMLoss`.

    Attributes:
        offset: added to both inputs before measuring angles. Angles are scale-invariant but not
            offset-invariant: with data normalised linearly to [-1, 1] from [0, max], ``offset = 1``
            measures the angle of the original (reflectance) spectra; use 0 for data already ≥ 0.
        eps: stabiliser of the vector norms (see :func:`spectral_angle`).
    """

    offset: float = 1.0
    eps: float = attrs.field(
        default=1e-6, validator=in_range(0.0, _INF, low_open=True, high_open=True)
    )


@register_loss("sam", params=SAMParams)
class SAMLoss(nn.Module):
    """Spectral angle mapper: mean angle in radians between ``sr`` and ``hr`` band vectors.

    ``[B, C, *S]`` inputs, 2D or 3D; the angle is taken per pixel over the ``C`` bands (meaningful for
    ``C ≥ 2``) and averaged over pixels. With ``context.mask`` a pixel counts when all its bands are
    valid. Value in ``[0, π]``, about ``eps`` on identical inputs.
    """

    name = "sam"

    def __init__(self, params: SAMParams | None = None) -> None:
        super().__init__()
        self.params = params or SAMParams()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the mean spectral angle in radians as a 0-dim tensor."""
        _check_shapes(self.name, sr, hr)
        offset, eps = self.params.offset, self.params.eps
        angles = spectral_angle(sr + offset, hr + offset, eps)
        mask = None
        if context.mask is not None:
            mask = context.mask.to(angles.dtype).amin(dim=1, keepdim=True)
        return weighted_mean(angles, mask, None)


@attrs.frozen(kw_only=True)
class HistogramParams:
    """Parameters of :class:`HistogramLoss`.

    Attributes:
        band_weights: relative weight of each band (``[1.0]`` or one per band, each ≥ 0); ``None``:
            equal weights.
    """

    band_weights: list[float] | None = attrs.field(default=None, validator=validate_weights)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """``band_weights`` must have 1 value or one per band of the run."""
        return check_band_weights(self.band_weights, context)


@register_loss("histogram", params=HistogramParams)
class HistogramLoss(nn.Module):
    """Per-band histogram matching: the 1-Wasserstein distance between value distributions.

    For each sample and band, the values of ``sr`` and of ``hr`` are sorted and compared position by
    position: ``mean |sort(sr) - sort(hr)|`` is exactly the Wasserstein-1 (earth mover's) distance
    between the two empirical distributions, in value units. No bins or bandwidths to tune; gradients
    flow through the sort. Invariant to where values are (a shuffled ``hr`` gives 0), so it complements
    a pixel loss. ``[B, C, *S]``, 2D or 3D; with ``context.mask`` (``[B, 1 or C, *S]``) only valid values
    enter both distributions; distances are averaged over samples and (weighted) bands.
    """

    name = "histogram"

    def __init__(self, params: HistogramParams | None = None) -> None:
        super().__init__()
        self.params = params or HistogramParams()
        weights = (
            None if self.params.band_weights is None else torch.tensor(self.params.band_weights)
        )
        self.band_weights: Tensor | None
        self.register_buffer("band_weights", weights, persistent=False)

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the weighted mean per-band Wasserstein-1 distance as a 0-dim tensor."""
        _check_shapes(self.name, sr, hr)
        batch, channels = sr.shape[:2]
        weights = band_weights_for(self.name, self.band_weights, channels)
        flat_sr, flat_hr = sr.flatten(2), hr.flatten(2)
        if context.mask is None:
            distances = (flat_sr.sort(dim=2).values - flat_hr.sort(dim=2).values).abs().mean(dim=2)
            present = torch.ones_like(distances)
        else:
            valid = context.mask.to(torch.bool).expand_as(sr).flatten(2)
            # Invalid values sort last in both; the first `count` positions are the valid ones.
            filler = torch.finfo(sr.dtype).max
            sorted_sr = torch.where(valid, flat_sr, filler).sort(dim=2).values
            sorted_hr = torch.where(valid, flat_hr, filler).sort(dim=2).values
            count = valid.sum(dim=2, keepdim=True)
            rank = torch.arange(flat_sr.shape[2], device=sr.device).reshape(1, 1, -1)
            inside = (rank < count).to(sr.dtype)
            total = ((sorted_sr - sorted_hr).abs() * inside).sum(dim=2)
            distances = total / count.squeeze(2).clamp(min=1).to(sr.dtype)
            present = (count.squeeze(2) > 0).to(sr.dtype)
        per_band = distances.reshape(batch, channels)
        return weighted_mean(per_band, present, weights)
