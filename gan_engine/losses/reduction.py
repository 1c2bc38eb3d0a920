"""Reductions shared by losses: plain means, means over valid (unmasked) pixels, band weights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import torch
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.params import channel_list_fits
from gan_engine.types import BuildContext


def masked_mean(values: Tensor, mask: Tensor | None) -> Tensor:
    """Mean of ``values`` ``[B, C, *S]`` over the pixels where ``mask`` (``[B, 1 or C, *S]``) is 1.

    Without a mask this is the plain mean. A mask with no valid pixel gives 0 (nothing to learn from),
    never NaN.
    """
    if mask is None:
        return values.mean()
    weights = mask.to(values.dtype).expand_as(values)
    return (values * weights).sum() / torch.clamp(weights.sum(), min=1.0)


def weighted_mean(values: Tensor, mask: Tensor | None, band_weights: Tensor | None) -> Tensor:
    """Mean of ``values[B, C, *S]`` weighted by a validity mask and per-band weights.

    ``Σ w_c m · v / Σ w_c m`` with ``m`` the mask (``[B, 1 or C, *S]``, 1 = valid) and ``w`` the band
    weights ``[C]`` (or ``[1]``). All-ones weights give :func:`masked_mean`; no valid pixel (or all
    weights 0) gives 0, never NaN. Values at masked-out pixels must be finite (``0 · nan`` is nan).
    """
    weights: Tensor | None = None
    if mask is not None:
        weights = mask.to(values.dtype)
    if band_weights is not None:
        shaped = band_weights.to(values.dtype).reshape(1, -1, *([1] * (values.ndim - 2)))
        weights = shaped if weights is None else weights * shaped
    if weights is None:
        return values.mean()
    weights = weights.expand_as(values)
    total = weights.sum().clamp(min=torch.finfo(values.dtype).tiny)
    return (values * weights).sum() / total


def band_weights_for(name: str, band_weights: Tensor | None, channels: int) -> Tensor | None:
    """Check that ``band_weights`` has 1 or ``channels`` entries (raise ``ValueError`` naming both)."""
    if band_weights is None or band_weights.numel() in (1, channels):
        return band_weights
    msg = (
        f"{name}: band_weights has {band_weights.numel()} values but the input has {channels} bands; "
        f"give 1 or {channels}"
    )
    raise ValueError(msg)


def validate_weights(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: ``None``, or non-negative weights with at least one above 0."""
    if value is None:
        return
    if not isinstance(value, Sequence) or not value:
        raise InvalidParamError(
            attribute.name, f"expected a non-empty list of weights, got {value!r}"
        )
    for index, weight in enumerate(value):
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0:
            key = f"{attribute.name}.{index}"
            raise InvalidParamError(key, f"must be a number >= 0, got {weight!r}")
    if not any(weight > 0 for weight in value):
        raise InvalidParamError(
            attribute.name, f"at least one weight must be > 0, got {list(value)}"
        )


def check_band_weights(
    band_weights: Sequence[float] | None, context: BuildContext
) -> list[InvalidParamError]:
    """Spec-time check: ``band_weights`` holds 1 value (broadcast) or one per band of the run."""
    if band_weights is None:
        return []
    return channel_list_fits("band_weights", band_weights, context.channels)
