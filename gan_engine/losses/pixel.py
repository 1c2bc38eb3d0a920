"""Pixel losses: L1, L2, Huber and Charbonnier, masked where nodata and weighted per band.

Every term here compares ``sr`` and ``hr`` (``[B, C, *S]``, 2D or 3D) pixel by pixel and reduces with
:func:`~gan_engine.losses.reduction.weighted_mean`: ``context.mask`` (1 = valid) excludes nodata
pixels, ``band_weights`` (one weight, or one per band) weights the bands. All are 0 on identical inputs.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs
import torch
import torch.nn.functional as F
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


@attrs.frozen(kw_only=True)
class PixelParams:
    """Parameters shared by the pixel losses.

    Attributes:
        band_weights: relative weight of each band (``[1.0]`` or one per band, each ≥ 0); the loss is
            the weighted mean over bands, so ``[1, 1, 1]`` equals no weights. ``None``: equal weights.
    """

    band_weights: list[float] | None = attrs.field(default=None, validator=validate_weights)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """``band_weights`` must have 1 value or one per band of the run."""
        return check_band_weights(self.band_weights, context)


@attrs.frozen(kw_only=True)
class HuberParams(PixelParams):
    """Parameters of :class:`HuberLoss`.

    Attributes:
        delta: where the penalty turns from quadratic to linear, in normalised units (data in
            [-1, 1] spans 2.0; ``delta = 1`` is the ``torch.nn.HuberLoss`` default).
    """

    delta: float = attrs.field(
        default=1.0, validator=in_range(0.0, _INF, low_open=True, high_open=True)
    )


@attrs.frozen(kw_only=True)
class CharbonnierParams(PixelParams):
    """Parameters of :class:`CharbonnierLoss`.

    Attributes:
        eps: smoothing width of ``sqrt(d² + eps²) - eps`` in normalised units; smaller is closer to L1.
    """

    eps: float = attrs.field(
        default=1e-3, validator=in_range(0.0, _INF, low_open=True, high_open=True)
    )


P = TypeVar("P", bound=PixelParams)


class _PixelLoss(nn.Module, Generic[P]):
    """``weighted_mean(penalty(sr - hr))``; subclasses define the penalty."""

    name = "pixel"

    def __init__(self, params: P) -> None:
        super().__init__()
        self.params = params
        weights = None if params.band_weights is None else torch.tensor(params.band_weights)
        # Not persistent: the weights come from the spec, so checkpoints need not carry them.
        self.band_weights: Tensor | None
        self.register_buffer("band_weights", weights, persistent=False)

    def penalty(self, difference: Tensor) -> Tensor:
        """Per-pixel penalty of ``sr - hr``."""
        raise NotImplementedError

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the scalar weighted mean penalty over valid pixels and bands."""
        _check_shapes(self.name, sr, hr)
        weights = band_weights_for(self.name, self.band_weights, sr.shape[1])
        return weighted_mean(self.penalty(sr - hr), context.mask, weights)


@register_loss("l1", params=PixelParams)
class L1Loss(_PixelLoss[PixelParams]):
    """Mean absolute error ``|sr - hr|`` over valid pixels (``[B, C, *S]``)."""

    name = "l1"

    def __init__(self, params: PixelParams | None = None) -> None:
        super().__init__(params or PixelParams())

    def penalty(self, difference: Tensor) -> Tensor:
        """``|d|``."""
        return difference.abs()


@register_loss("l2", params=PixelParams)
class L2Loss(_PixelLoss[PixelParams]):
    """Mean squared error ``(sr - hr)²`` over valid pixels (``[B, C, *S]``)."""

    name = "l2"

    def __init__(self, params: PixelParams | None = None) -> None:
        super().__init__(params or PixelParams())

    def penalty(self, difference: Tensor) -> Tensor:
        """``d²``."""
        return difference.square()


@register_loss("huber", params=HuberParams)
class HuberLoss(_PixelLoss[HuberParams]):
    """Huber loss: ``d²/2`` for ``|d| ≤ delta``, ``delta · (|d| - delta/2)`` beyond (``[B, C, *S]``)."""

    name = "huber"

    def __init__(self, params: HuberParams | None = None) -> None:
        super().__init__(params or HuberParams())

    def penalty(self, difference: Tensor) -> Tensor:
        """Huber penalty of ``d`` with threshold ``delta``."""
        zeros = torch.zeros_like(difference)
        return F.huber_loss(difference, zeros, reduction="none", delta=self.params.delta)


@register_loss("charbonnier", params=CharbonnierParams)
class CharbonnierLoss(_PixelLoss[CharbonnierParams]):
    """Charbonnier loss ``sqrt(d² + eps²) - eps``: a smooth L1 (Lai et al. 2017, LapSRN).

    The ``- eps`` shift makes identical inputs give exactly 0; gradients are those of the usual form.
    """

    name = "charbonnier"

    def __init__(self, params: CharbonnierParams | None = None) -> None:
        super().__init__(params or CharbonnierParams())

    def penalty(self, difference: Tensor) -> Tensor:
        """``sqrt(d² + eps²) - eps``."""
        eps = self.params.eps
        return torch.sqrt(difference.square() + eps * eps) - eps
