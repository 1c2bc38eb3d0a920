"""Pixel losses: mean absolute (L1) and mean squared (L2) error, masked where nodata."""

from __future__ import annotations

from torch import Tensor, nn

from gan_engine.losses.reduction import masked_mean
from gan_engine.protocols import LossContext
from gan_engine.registry import NoParams, register_loss


def _check_shapes(name: str, sr: Tensor, hr: Tensor) -> None:
    if sr.shape != hr.shape:
        msg = f"{name}: sr and hr must have the same shape, got {tuple(sr.shape)} and {tuple(hr.shape)}"
        raise ValueError(msg)


@register_loss("l1", params=NoParams)
class L1Loss(nn.Module):
    """Mean absolute error between ``sr`` and ``hr`` (``[B, C, *S]``), over valid pixels."""

    name = "l1"

    def __init__(self, params: NoParams | None = None) -> None:
        super().__init__()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the scalar mean ``|sr - hr|``."""
        _check_shapes(self.name, sr, hr)
        return masked_mean((sr - hr).abs(), context.mask)


@register_loss("l2", params=NoParams)
class L2Loss(nn.Module):
    """Mean squared error between ``sr`` and ``hr`` (``[B, C, *S]``), over valid pixels."""

    name = "l2"

    def __init__(self, params: NoParams | None = None) -> None:
        super().__init__()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the scalar mean ``(sr - hr)²``."""
        _check_shapes(self.name, sr, hr)
        return masked_mean((sr - hr).square(), context.mask)
