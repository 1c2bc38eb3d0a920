"""Spectral angle mapper (SAM) per sample, in degrees."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def sam(prediction: Tensor, target: Tensor) -> Tensor:
    """Mean spectral angle in **degrees** between band vectors, per sample of ``[B, C, *S]``: ``[B]``.

    The angle at each pixel is taken between the ``C``-band vectors of ``prediction`` and ``target``
    (in sensor units; angles are scale-invariant, so reflectance or DN give the same result) and
    averaged over pixels. Computed in float64 with ``2 · atan2(‖â - t̂‖, ‖â + t̂‖)``, accurate at small
    angles. Two zero vectors count as 0°, one zero vector against a non-zero one as 90°.
    """
    if prediction.shape != target.shape:
        msg = f"sam: shapes differ: {tuple(prediction.shape)} vs {tuple(target.shape)}"
        raise ValueError(msg)
    if prediction.ndim < 3:
        msg = f"sam: expected [B, C, *S], got shape {tuple(prediction.shape)}"
        raise ValueError(msg)
    a = prediction.detach().double()
    b = target.detach().double()
    tiny = torch.finfo(torch.float64).tiny
    a_unit = a / a.norm(dim=1, keepdim=True).clamp(min=tiny)
    b_unit = b / b.norm(dim=1, keepdim=True).clamp(min=tiny)
    angle = 2.0 * torch.atan2((a_unit - b_unit).norm(dim=1), (a_unit + b_unit).norm(dim=1))
    return angle.flatten(1).mean(dim=1) * (180.0 / math.pi)
