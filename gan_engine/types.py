"""Small shared types: spatial dimensions, branches, samples and the build context of components."""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

import attrs
from torch import Tensor

SpatialDims: TypeAlias = Literal[2, 3]
"""Number of spatial axes: 2 for ``[B, C, H, W]`` images, 3 for ``[B, C, D, H, W]`` volumes."""

Branch: TypeAlias = Literal["lr", "hr"]
"""Which side of a super-resolution pair a tensor belongs to."""

SPATIAL_DIMS: tuple[SpatialDims, ...] = (2, 3)


class Sample(TypedDict):
    """One training or validation example in sensor units (not yet normalised).

    ``lr`` is ``[C, *S]`` and ``hr`` is ``[C, *(S * scale)]``, both float32. ``mask``, when present, is
    ``[1, *(S * scale)]`` with 1 where HR pixels are valid and 0 where they are nodata or NaN (those
    pixels are excluded from the losses, not zeroed into them).
    """

    lr: Tensor
    hr: Tensor
    mask: NotRequired[Tensor]


@attrs.frozen
class BuildContext:
    """What a component's parameters may be checked against: the run's dims, channels and scale."""

    spatial_dims: SpatialDims
    channels: int
    scale: int


def spatial_dims_of(x: Tensor) -> SpatialDims:
    """Return the spatial dims of a batched tensor ``[B, C, *S]``; raise for anything but 4-D or 5-D."""
    if x.ndim == 4:
        return 2
    if x.ndim == 5:
        return 3
    msg = f"expected a [B, C, H, W] or [B, C, D, H, W] tensor, got shape {tuple(x.shape)}"
    raise ValueError(msg)
