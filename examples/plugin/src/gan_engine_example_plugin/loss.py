"""``fft_l1``: L1 distance between the Fourier spectra of ``sr`` and ``hr`` (2D or 3D)."""

from __future__ import annotations

from typing import Literal

import attrs
import torch
from torch import Tensor, nn

from gan_engine.protocols import LossContext
from gan_engine.registry import register_loss


@attrs.frozen(kw_only=True)
class FourierL1Params:
    """Parameters of :class:`FourierL1Loss`.

    Attributes:
        norm: normalisation of the FFT (``ortho`` keeps the loss's scale independent of image size).
    """

    norm: Literal["ortho", "backward", "forward"] = "ortho"


@register_loss("fft_l1", params=FourierL1Params)
class FourierL1Loss(nn.Module):
    """Mean absolute difference of the complex spectra over the spatial axes of ``[B, C, *S]``.

    Penalises missing or spurious high frequencies that a pixel loss averages away. It ignores nodata
    masks (a masked pixel changes every frequency); use it beside a masked pixel loss.
    """

    name = "fft_l1"

    def __init__(self, params: FourierL1Params | None = None) -> None:
        super().__init__()
        self.params = params or FourierL1Params()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the scalar loss; computed in float32 (FFTs do not support bfloat16)."""
        dims = tuple(range(2, sr.ndim))
        sr_spectrum = torch.fft.fftn(sr.float(), dim=dims, norm=self.params.norm)
        hr_spectrum = torch.fft.fftn(hr.float(), dim=dims, norm=self.params.norm)
        difference: Tensor = (sr_spectrum - hr_spectrum).abs()
        return difference.mean()
