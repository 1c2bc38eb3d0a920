"""Reductions shared by pixel-wise losses: a plain mean, or a mean over valid (unmasked) pixels."""

from __future__ import annotations

import torch
from torch import Tensor


def masked_mean(values: Tensor, mask: Tensor | None) -> Tensor:
    """Mean of ``values`` ``[B, C, *S]`` over the pixels where ``mask`` (``[B, 1 or C, *S]``) is 1.

    Without a mask this is the plain mean. A mask with no valid pixel gives 0 (nothing to learn from),
    never NaN.
    """
    if mask is None:
        return values.mean()
    weights = mask.to(values.dtype).expand_as(values)
    return (values * weights).sum() / torch.clamp(weights.sum(), min=1.0)
