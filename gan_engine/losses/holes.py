"""Losses for inpainting and gap-filling: terms that weigh known and missing pixels differently.

- ``masked_l1``: L1 with one weight for known pixels and one for missing (generated) pixels, read
  from ``context.target_holes`` (1 = missing, at the output's resolution).
- ``mask_target``: the adversarial loss with the hole mask as the discriminator's target (LaMa,
  Suvorov et al. 2022): on a generated image, cells over holes are "fake" and, with
  ``known_as_real``, cells over known pixels are "real", since they are copies of real pixels; the
  generator's term counts the cells over holes (and known cells at ``generator_known_weight``).
  The mask is pooled to the discriminator's logit grid by the ``pool`` function the loss is given,
  by default :func:`gan_engine.nn.mask_pool.pool_mask_to` (a cell is a hole when any pixel under it
  is).

Nodata pixels (``context.mask`` = 0) count in neither term of ``masked_l1``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.nn.mask_pool import pool_mask_to
from gan_engine.params import in_range
from gan_engine.protocols import LossContext
from gan_engine.registry import register_loss

_INF = float("inf")

HolePooling = Callable[[Tensor, Sequence[int]], Tensor]
"""``pool(holes[B, 1 or C, *S], logits_shape) -> [B, 1]`` or ``[B, 1, *S']`` in ``[0, 1]``."""


def _target_holes(name: str, sr: Tensor, context: LossContext) -> Tensor:
    holes = context.target_holes
    if holes is None:
        msg = (
            f"{name}: needs context.target_holes ([B, 1 or C, *S], 1 = missing) from an inpainting "
            "or gap-filling task; this task gives none"
        )
        raise ValueError(msg)
    fits = (
        holes.ndim == sr.ndim and holes.shape[0] == sr.shape[0] and holes.shape[2:] == sr.shape[2:]
    )
    if not fits or holes.shape[1] not in (1, sr.shape[1]):
        msg = (
            f"{name}: context.target_holes must be [B, 1 or C, *S] matching the output "
            f"{tuple(sr.shape)}, got {tuple(holes.shape)}"
        )
        raise ValueError(msg)
    return holes


@attrs.frozen(kw_only=True)
class MaskedL1Params:
    """Parameters of :class:`MaskedL1Loss`.

    Attributes:
        known_weight: weight of pixels that were known in the input (0 ignores them: useful when
            the generator's output is already composited).
        missing_weight: weight of the pixels inside holes.
    """

    known_weight: float = attrs.field(default=1.0, validator=in_range(0.0, _INF, high_open=True))
    missing_weight: float = attrs.field(default=1.0, validator=in_range(0.0, _INF, high_open=True))

    def __attrs_post_init__(self) -> None:
        """At least one of the weights must be above 0."""
        if self.known_weight == 0 and self.missing_weight == 0:
            key = "missing_weight"
            msg = "known_weight and missing_weight are both 0: the loss would count no pixel"
            raise InvalidParamError(key, msg)


@register_loss("masked_l1", params=MaskedL1Params)
class MaskedL1Loss(nn.Module):
    """``Σ w · |sr − hr| / Σ w`` with ``w = known_weight`` on known pixels, ``missing_weight`` in holes.

    ``sr`` and ``hr`` are ``[B, C, *S]``; the holes come from ``context.target_holes``. Pixels of
    weight 0 get no gradient. No pixel of weight above 0 gives 0, never NaN.
    """

    name = "masked_l1"

    def __init__(self, params: MaskedL1Params | None = None) -> None:
        super().__init__()
        self.params = params or MaskedL1Params()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the weighted mean absolute error."""
        if sr.shape != hr.shape:
            shapes = f"{tuple(sr.shape)} and {tuple(hr.shape)}"
            msg = f"masked_l1: sr and hr must have the same shape, got {shapes}"
            raise ValueError(msg)
        holes = (_target_holes(self.name, sr, context) > 0.5).to(sr.dtype)
        weights = self.params.known_weight * (1.0 - holes) + self.params.missing_weight * holes
        if context.mask is not None:
            weights = weights * context.mask.to(sr.dtype)
        weights = weights.expand_as(sr)
        # torch.where, not a product: a weight of 0 must also stop NaN/inf from those pixels.
        difference = torch.where(weights > 0, (sr - hr).abs(), torch.zeros((), dtype=sr.dtype))
        return (difference * weights).sum() / weights.sum().clamp(min=torch.finfo(sr.dtype).tiny)


@attrs.frozen(kw_only=True)
class MaskTargetParams:
    """Parameters of :class:`MaskTargetLoss`.

    Attributes:
        known_as_real: the discriminator learns "real" for cells of a generated image over known
            pixels (LaMa's ``mask_as_fake_target``); otherwise those cells do not count.
        generator_known_weight: weight of the generator's term over known cells, relative to 1 over
            holes (0: only the holes count).
        label_smoothing: the discriminator's target for real images is ``1 - label_smoothing``.
    """

    known_as_real: bool = True
    generator_known_weight: float = attrs.field(default=0.0, validator=in_range(0.0, 1.0))
    label_smoothing: float = attrs.field(default=0.0, validator=in_range(0.0, 0.5, high_open=True))


@register_loss("mask_target", params=MaskTargetParams)
class MaskTargetLoss(nn.Module):
    """Non-saturating adversarial loss with the hole mask as target (LaMa), on logits of any grid.

    Generator: ``Σ w · softplus(−fake) / Σ w`` with ``w = 1`` over holes and
    ``generator_known_weight`` elsewhere. Discriminator: ``BCE(real, 1 − smoothing)`` plus, on the
    generated image, ``BCE(fake, 0)`` over holes and ``BCE(fake, 1)`` over known cells (with
    ``known_as_real``). ``holes`` is pooled to the logits' shape by ``pool`` (default:
    :func:`~gan_engine.nn.mask_pool.pool_mask_to`, max pooling).
    """

    name = "mask_target"
    needs_real_logits: ClassVar[bool] = False
    needs_holes: ClassVar[bool] = True  # the trainer passes the holes to discriminator_loss

    def __init__(
        self, params: MaskTargetParams | None = None, pool: HolePooling | None = None
    ) -> None:
        super().__init__()
        self.params = params or MaskTargetParams()
        self.pool: HolePooling = pool if pool is not None else pool_mask_to

    def _on_grid(self, holes: Tensor, logits: Tensor) -> Tensor:
        return self.pool(holes, tuple(logits.shape)).to(logits.dtype)

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Generator side: push the discriminator's logits over holes towards "real"."""
        if context.fake_logits is None:
            msg = "mask_target: the generator's term needs context.fake_logits (logits on sr)"
            raise ValueError(msg)
        fake = context.fake_logits
        holes = self._on_grid(_target_holes(self.name, sr, context), fake)
        weights = holes + self.params.generator_known_weight * (1.0 - holes)
        return (F.softplus(-fake) * weights).sum() / weights.sum().clamp(min=1e-12)

    def discriminator_loss(
        self, real_logits: Tensor, fake_logits: Tensor, holes: Tensor | None = None
    ) -> Tensor:
        """Discriminator side; ``holes`` is the generated image's hole mask (any resolution)."""
        if holes is None:
            msg = "mask_target: the discriminator's loss needs the hole mask of the generated image"
            raise ValueError(msg)
        on_grid = self._on_grid(holes, fake_logits)
        real_target = torch.full_like(real_logits, 1.0 - self.params.label_smoothing)
        real = F.binary_cross_entropy_with_logits(real_logits, real_target)
        as_fake = F.softplus(fake_logits)  # BCE towards 0
        if self.params.known_as_real:
            per_cell = on_grid * as_fake + (1.0 - on_grid) * F.softplus(-fake_logits)
            return real + per_cell.mean()
        counted = (on_grid * as_fake).sum() / on_grid.sum().clamp(min=1e-12)
        return real + counted
