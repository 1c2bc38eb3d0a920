"""Aligned random flips and quarter turns for LR/HR pairs, in 2D and 3D.

The same transform is applied to both sides of a pair, so a pixel of LR still covers the same block
of HR afterwards. Flips may hit every spatial axis; rotations turn the last two axes (H, W) only,
since volume depth is often sampled differently from the in-plane axes.
"""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from gan_engine.types import SpatialDims


@attrs.frozen
class DihedralTransform:
    """Flip the spatial axes marked in ``flips``, then rotate ``quarter_turns`` × 90° in (H, W).

    Attributes:
        flips: one flag per spatial axis, in order (``(H, W)`` or ``(D, H, W)``).
        quarter_turns: 0 to 3 counter-clockwise quarter turns in the last two axes.
    """

    flips: tuple[bool, ...]
    quarter_turns: int = attrs.field(validator=attrs.validators.in_(range(4)))

    @classmethod
    def random(cls, spatial_dims: SpatialDims, generator: torch.Generator) -> DihedralTransform:
        """Draw flips and a turn uniformly from ``generator`` (never the global RNG)."""
        flips = torch.randint(0, 2, (spatial_dims,), generator=generator)
        turns = torch.randint(0, 4, (1,), generator=generator)
        return cls(flips=tuple(bool(flag) for flag in flips), quarter_turns=int(turns))

    def __call__(self, x: Tensor) -> Tensor:
        """Transform ``x`` ``[..., *S]``, whose last ``len(flips)`` axes are spatial."""
        spatial = len(self.flips)
        if x.ndim < spatial:
            msg = f"expected at least {spatial} axes, got shape {tuple(x.shape)}"
            raise ValueError(msg)
        axes = [x.ndim - spatial + axis for axis, flip in enumerate(self.flips) if flip]
        if axes:
            x = torch.flip(x, axes)
        if self.quarter_turns:
            x = torch.rot90(x, self.quarter_turns, dims=(-2, -1))
        return x.contiguous()


def augment_pair(
    lr: Tensor, hr: Tensor, spatial_dims: SpatialDims, generator: torch.Generator
) -> tuple[Tensor, Tensor]:
    """Apply one random :class:`DihedralTransform` to ``lr`` ``[C, *S]`` and ``hr`` ``[C, *S']``."""
    transform = DihedralTransform.random(spatial_dims, generator)
    return transform(lr), transform(hr)
