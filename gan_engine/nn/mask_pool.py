"""Resizing hole masks, in 2D and 3D, so that a hole never disappears by resampling.

A hole mask is ``[B, 1 or C, *S]`` with 1 where pixels are missing and 0 where they are known.
:func:`resize_mask` brings it to another spatial size (a discriminator's input, a generator's output);
:func:`pool_mask_to` brings it to a discriminator's logit grid, e.g. for LaMa-style losses where the
mask is the discriminator's target (Suvorov et al. 2022): fake logits over holes are pushed to "fake",
those over known pixels to "real".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import torch.nn.functional as F
from torch import Tensor

MaskPooling: TypeAlias = Literal["max", "mean"]
"""``max``: a cell is a hole when any pixel in it is; ``mean``: the fraction of its pixels that are."""


def _check_mask(mask: Tensor, owner: str) -> None:
    if mask.ndim not in (4, 5):
        msg = (
            f"{owner}: expected a mask [B, C, H, W] or [B, C, D, H, W], got shape "
            f"{tuple(mask.shape)}"
        )
        raise ValueError(msg)


def _adaptive_pool(mask: Tensor, size: Sequence[int], mode: MaskPooling) -> Tensor:
    """Adaptive max / average pooling of ``mask[B, C, *S]`` to ``size`` (as many axes as ``S``)."""
    target = tuple(int(n) for n in size)
    if target == tuple(mask.shape[2:]):
        return mask
    # "max": each output cell pools the input window floor(i*n/m) .. ceil((i+1)*n/m), which is
    # exact max-pooling for integer shrink factors and nearest-neighbour for integer growth factors
    if mask.ndim == 4:
        height, width = target
        if mode == "max":
            return F.adaptive_max_pool2d(mask, (height, width))
        return F.adaptive_avg_pool2d(mask, (height, width))
    depth, height, width = target
    if mode == "max":
        return F.adaptive_max_pool3d(mask, (depth, height, width))
    return F.adaptive_avg_pool3d(mask, (depth, height, width))


def resize_mask(mask: Tensor, size: Sequence[int], mode: MaskPooling = "max") -> Tensor:
    """Resize ``mask[B, C, *S]`` to ``[B, C, *size]``, per channel, keeping holes.

    With ``max`` (the default) a pixel of the result is a hole when any input pixel it covers is, so
    shrinking never drops a hole and growing by an integer factor is nearest-neighbour. Returns the
    input itself when it already has ``size``; otherwise a float tensor.
    """
    _check_mask(mask, "resize_mask")
    if len(size) != mask.ndim - 2:
        msg = (
            f"resize_mask: size must have {mask.ndim - 2} axes for a mask of shape "
            f"{tuple(mask.shape)}, got {tuple(size)}"
        )
        raise ValueError(msg)
    if any(n < 1 for n in size):
        msg = f"resize_mask: every size must be >= 1, got {tuple(size)}"
        raise ValueError(msg)
    return _adaptive_pool(mask.float(), size, mode)


def pool_mask_to(mask: Tensor, logits_shape: Sequence[int], mode: MaskPooling = "max") -> Tensor:
    """Pool a hole mask ``[B, 1 or C, *S]`` to a discriminator's logit grid.

    A pixel is a hole when any of its channels is. ``logits_shape`` is the shape of the logits:
    ``[B, 1]`` for a global discriminator (one value per sample over the whole image) or
    ``[B, 1, *S']`` for a patch or per-pixel one, with as many spatial axes as the mask. Each logit
    cell pools the input region that maps onto it by adaptive pooling (an approximation of the
    logit's receptive field, which is wider). Returns ``[B, 1]`` or ``[B, 1, *S']`` in ``[0, 1]``.
    """
    _check_mask(mask, "pool_mask_to")
    shape = tuple(int(n) for n in logits_shape)
    spatial_axes = mask.ndim - 2
    if len(shape) not in (2, 2 + spatial_axes) or shape[:2] != (mask.shape[0], 1):
        axes = "H', W'" if spatial_axes == 2 else "D', H', W'"
        msg = (
            f"pool_mask_to: logits must be [{mask.shape[0]}, 1] or [{mask.shape[0]}, 1, {axes}] "
            f"for a mask of shape {tuple(mask.shape)}, got {shape}"
        )
        raise ValueError(msg)
    holes = mask.float().amax(dim=1, keepdim=True)
    if len(shape) == 2:
        pooled = holes.flatten(1)
        return pooled.amax(dim=1, keepdim=True) if mode == "max" else pooled.mean(1, keepdim=True)
    return _adaptive_pool(holes, shape[2:], mode)
