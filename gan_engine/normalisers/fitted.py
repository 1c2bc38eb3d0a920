"""Base classes of normalisers whose statistics are computed from data.

A fitted normaliser starts empty: its statistics are buffers filled by :meth:`FittedNormaliser.fit`
(streaming over a re-iterable collection of samples) or by ``load_state_dict`` from a checkpoint. A
boolean ``fitted`` buffer travels with them, so a restored normaliser knows it is ready; using one
that is neither fitted nor restored raises :class:`NotFittedError`.

Statistics are kept per branch (row 0 for ``lr``, row 1 for ``hr`` of ``[2, C]`` buffers).
``statistics="hr"`` (the default) normalises both branches with the HR statistics, so LR and HR share
one value space and a generator's identity path stays an identity; ``statistics="per_branch"``
normalises each branch with its own (for LR and HR from different sensors).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, TypeAlias

import attrs
import torch
from torch import Tensor

from gan_engine.errors import GanEngineError, InvalidParamError
from gan_engine.normalisers.base import ChannelChecked, broadcastable
from gan_engine.normalisers.sample_values import require_reiterable
from gan_engine.types import Branch, Sample

Statistics: TypeAlias = Literal["hr", "per_branch"]
STATISTICS: tuple[Statistics, ...] = ("hr", "per_branch")
BRANCH_ROW: dict[Branch, int] = {"lr": 0, "hr": 1}


class NotFittedError(GanEngineError, RuntimeError):
    """A fitted normaliser used before ``fit`` or before its statistics were loaded."""


def one_of_statistics(_instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """Validate ``"hr"`` or ``"per_branch"`` (an attrs validator)."""
    if value not in STATISTICS:
        msg = f"expected one of {list(STATISTICS)}, got {value!r}"
        raise InvalidParamError(attribute.name, msg)


class FittedNormaliser(ChannelChecked):
    """A normaliser with data-driven statistics; subclasses implement :meth:`_fit`.

    Attributes:
        fitted: 0-dim bool buffer, true once statistics were fitted or loaded.
    """

    fitted: Tensor

    def __init__(self, channels: int, statistics: Statistics) -> None:
        super().__init__(channels)
        self.statistics = statistics
        self.register_buffer("fitted", torch.zeros((), dtype=torch.bool))

    @property
    def is_fitted(self) -> bool:
        """Whether statistics were fitted or loaded."""
        return bool(self.fitted)

    def require_fitted(self) -> None:
        """Raise :class:`NotFittedError` naming the normaliser unless it has statistics."""
        if not self.is_fitted:
            msg = (
                f"normaliser {type(self).__name__} has no statistics yet: call fit(samples) on the "
                "training data or load a checkpoint that holds them (load_state_dict)"
            )
            raise NotFittedError(msg)

    def row(self, branch: Branch) -> int:
        """The statistics row used for ``branch`` (HR's for both unless ``per_branch``)."""
        return BRANCH_ROW[branch] if self.statistics == "per_branch" else BRANCH_ROW["hr"]

    def fit(self, samples: Iterable[Sample]) -> None:
        """Compute the statistics by streaming over ``samples`` (re-iterable; may take several passes).

        Raises:
            TypeError: ``samples`` is a one-shot iterator.
            DataError: no valid pixels in a branch.
        """
        self._fit(require_reiterable(samples, type(self).__name__))
        self.fitted.fill_(True)

    def _fit(self, samples: Iterable[Sample]) -> None:
        raise NotImplementedError

    def valid_range(self, branch: Branch) -> tuple[Tensor, Tensor]:
        """Per-channel ``[C]`` bounds of the sensor values ``denormalise`` recovers exactly."""
        self.require_fitted()
        infinite = torch.full((self.channels,), float("inf"))
        return -infinite, infinite

    def extra_repr(self) -> str:
        """Channels, statistics mode and whether fitted, for ``repr``."""
        return f"channels={self.channels}, statistics={self.statistics}, fitted={self.is_fitted}"


class FittedAffine(FittedNormaliser):
    """``normalise: (clip(x, low, high) - shift) / scale``, ``denormalise: y * scale + shift``.

    Buffers are float32 ``[2, C]`` (one row per branch). ``low``/``high`` are ``∓inf`` when the
    normaliser does not clip; values inside ``[low, high]`` round-trip exactly (to float rounding).
    """

    shift: Tensor
    scale: Tensor
    low: Tensor
    high: Tensor

    def __init__(self, channels: int, statistics: Statistics) -> None:
        super().__init__(channels, statistics)
        self.register_buffer("shift", torch.zeros(2, channels))
        self.register_buffer("scale", torch.ones(2, channels))
        self.register_buffer("low", torch.full((2, channels), float("-inf")))
        self.register_buffer("high", torch.full((2, channels), float("inf")))

    def set_row(
        self,
        branch: Branch,
        shift: Tensor,
        scale: Tensor,
        bounds: tuple[Tensor, Tensor] | None = None,
    ) -> None:
        """Store one branch's statistics; a zero (or non-finite) ``scale`` becomes 1."""
        row = BRANCH_ROW[branch]
        scale = torch.where(torch.isfinite(scale) & (scale > 0), scale, torch.ones_like(scale))
        self.shift[row] = shift.to(self.shift.dtype)
        self.scale[row] = scale.to(self.scale.dtype)
        if bounds is not None:
            self.low[row] = bounds[0].to(self.low.dtype)
            self.high[row] = bounds[1].to(self.high.dtype)

    def valid_range(self, branch: Branch) -> tuple[Tensor, Tensor]:
        """Per-channel ``[C]`` clip bounds of ``branch`` (``∓inf`` when not clipping)."""
        self.require_fitted()
        row = self.row(branch)
        return self.low[row].clone(), self.high[row].clone()

    def normalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Sensor units ``[B, C, *S]`` → network range, same shape (clipped to the valid range)."""
        x = self._validated(x, branch)
        self.require_fitted()
        row = self.row(branch)
        x = torch.clamp(x, broadcastable(self.low[row], x), broadcastable(self.high[row], x))
        return (x - broadcastable(self.shift[row], x)) / broadcastable(self.scale[row], x)

    def denormalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Network range ``[B, C, *S]`` → sensor units, same shape (not clipped)."""
        x = self._validated(x, branch)
        self.require_fitted()
        row = self.row(branch)
        return x * broadcastable(self.scale[row], x) + broadcastable(self.shift[row], x)
