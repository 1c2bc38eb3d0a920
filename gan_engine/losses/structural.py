"""Structural losses: SSIM, total variation and gradient-map L1, all N-D (2D and 3D)."""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.losses.reduction import weighted_mean
from gan_engine.nn.gradients import forward_differences, pairwise_min, sobel_gradients
from gan_engine.nn.separable import window_min
from gan_engine.nn.ssim import ssim_map
from gan_engine.params import at_least, in_range, odd
from gan_engine.protocols import LossContext
from gan_engine.registry import Capabilities, NoParams, register_loss

_INF = float("inf")

GradientMode: TypeAlias = Literal["diff", "sobel"]


def _check_shapes(name: str, sr: Tensor, hr: Tensor) -> None:
    if sr.shape != hr.shape:
        msg = f"{name}: sr and hr must have the same shape, got {tuple(sr.shape)} and {tuple(hr.shape)}"
        raise ValueError(msg)


def _full_mask(mask: Tensor | None, like: Tensor) -> Tensor | None:
    """A ``[B, 1 or C, *S]`` mask as a float tensor of ``like``'s dtype (``None`` stays ``None``)."""
    return None if mask is None else mask.to(like.dtype)


@attrs.frozen(kw_only=True)
class SSIMParams:
    """Parameters of :class:`SSIMLoss`.

    Attributes:
        window_size: odd Gaussian window width in pixels (11 with ``sigma = 1.5`` is the standard
            and equals scikit-image's ``truncate=3.5`` window). Every spatial axis of the input needs at
            least this many pixels.
        sigma: Gaussian standard deviation in pixels.
        data_range: width of the value range of the *normalised* data the loss sees: 2.0 for data in
            [-1, 1] (the default normalisation), 1.0 for [0, 1]. It sets the stabilising constants
            ``C1 = (0.01 · data_range)²`` and ``C2 = (0.03 · data_range)²``.
    """

    window_size: int = attrs.field(default=11, validator=[at_least(3), odd()])
    sigma: float = attrs.field(
        default=1.5, validator=in_range(0.0, _INF, low_open=True, high_open=True)
    )
    data_range: float = attrs.field(
        default=2.0, validator=in_range(0.0, _INF, low_open=True, high_open=True)
    )


@register_loss("ssim", params=SSIMParams, capabilities=Capabilities(min_input_size=11))
class SSIMLoss(nn.Module):
    """``1 - SSIM(sr, hr)`` with a Gaussian window, 2D or 3D, in ``[0, 2]``; 0 on identical inputs.

    SSIM is averaged over channels and over the windows that fit inside the image. With
    ``context.mask`` only windows whose every pixel is valid count (none valid gives 0). Inputs are
    ``[B, C, *S]`` with each spatial axis ≥ ``window_size``.
    """

    name = "ssim"

    def __init__(self, params: SSIMParams | None = None) -> None:
        super().__init__()
        self.params = params or SSIMParams()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return ``1 - mean SSIM`` as a 0-dim tensor."""
        _check_shapes(self.name, sr, hr)
        p = self.params
        similarity = ssim_map(
            sr, hr, data_range=p.data_range, window_size=p.window_size, sigma=p.sigma
        )
        mask = _full_mask(context.mask, similarity)
        windows = None if mask is None else window_min(mask, p.window_size)
        return weighted_mean(1.0 - similarity, windows, None)


@register_loss("tv", params=NoParams, capabilities=Capabilities(min_input_size=2))
class TotalVariationLoss(nn.Module):
    """Anisotropic total variation of ``sr`` ``[B, C, *S]``: ``Σ_axes mean |sr[i + 1] - sr[i]|``.

    A smoothness prior: it ignores ``hr`` and is 0 only for constant images. The per-axis mean is over
    neighbour pairs (with ``context.mask``, pairs whose two pixels are valid); the axes are summed, so a
    ramp of slope ``a`` along one axis gives ``|a|``.
    """

    name = "tv"

    def __init__(self, params: NoParams | None = None) -> None:
        super().__init__()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the total variation of ``sr`` as a 0-dim tensor."""
        _check_shapes(self.name, sr, hr)
        mask = _full_mask(context.mask, sr)
        pairs = None if mask is None else pairwise_min(mask)
        terms = [
            weighted_mean(difference.abs(), None if pairs is None else pairs[axis], None)
            for axis, difference in enumerate(forward_differences(sr))
        ]
        return torch.stack(terms).sum()


@attrs.frozen(kw_only=True)
class GradientParams:
    """Parameters of :class:`GradientLoss`.

    Attributes:
        mode: ``diff``: forward differences ``x[i + 1] - x[i]``; ``sobel``: normalised N-D Sobel
            (central difference smoothed across the other axes), less sensitive to noise.
    """

    mode: GradientMode = attrs.field(default="diff")

    @mode.validator
    def _mode_known(self, attribute: attrs.Attribute[str], value: str) -> None:
        choices = get_args(GradientMode)
        if value not in choices:
            raise InvalidParamError(attribute.name, f"expected one of {choices}, got {value!r}")


@register_loss("gradient", params=GradientParams, capabilities=Capabilities(min_input_size=3))
class GradientLoss(nn.Module):
    """L1 between the gradient maps of ``sr`` and ``hr`` ``[B, C, *S]``, averaged over spatial axes.

    Penalises blurred or displaced edges independently of a constant offset. With ``context.mask`` a
    gradient counts only where every pixel it reads is valid.
    """

    name = "gradient"

    def __init__(self, params: GradientParams | None = None) -> None:
        super().__init__()
        self.params = params or GradientParams()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the mean over axes of the masked mean ``|∇sr - ∇hr|``."""
        _check_shapes(self.name, sr, hr)
        mask = _full_mask(context.mask, sr)
        if self.params.mode == "sobel":
            gradients_sr, gradients_hr = sobel_gradients(sr), sobel_gradients(hr)
            valid = None if mask is None else [window_min(mask, 3)] * len(gradients_sr)
        else:
            gradients_sr, gradients_hr = forward_differences(sr), forward_differences(hr)
            valid = None if mask is None else pairwise_min(mask)
        terms = [
            weighted_mean((g_sr - g_hr).abs(), None if valid is None else valid[axis], None)
            for axis, (g_sr, g_hr) in enumerate(zip(gradients_sr, gradients_hr, strict=True))
        ]
        return torch.stack(terms).mean()
