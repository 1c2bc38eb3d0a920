"""Small shared types: spatial dimensions, branches, samples and the build context of components."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypeAlias, TypedDict

import attrs
from torch import Tensor

SpatialDims: TypeAlias = Literal[2, 3]
"""Number of spatial axes: 2 for ``[B, C, H, W]`` images, 3 for ``[B, C, D, H, W]`` volumes."""

Branch: TypeAlias = Literal["lr", "hr"]
"""Which side of a super-resolution pair a tensor belongs to."""

SPATIAL_DIMS: tuple[SpatialDims, ...] = (2, 3)


ConditioningKind: TypeAlias = Literal["mask", "embedding", "tokens"]
"""A kind of conditioning a network may accept: a hole mask, a global embedding, token embeddings."""


class Sample(TypedDict):
    """One training or validation example in sensor units (not yet normalised).

    ``lr`` is ``[C, *S]`` and ``hr`` is ``[C, *(S * scale)]``, both float32. ``mask``, when present, is
    ``[1, *(S * scale)]`` with 1 where HR pixels are valid and 0 where they are nodata or NaN (those
    pixels are excluded from the losses, not zeroed into them).

    Optional conditioning (unbatched; a task decides which it needs):

    - ``holes``: ``[1 or C, *S]`` at the input's resolution, 1 where input pixels are missing (to be
      generated) and 0 where they are known (kept exactly by compositing tasks).
    - ``embedding``: a global conditioning vector ``[E]`` (e.g. a prompt's pooled text embedding).
    - ``tokens``: a token sequence ``[T, E]``; ``token_mask`` ``[T]`` (bool) is True for real tokens
      and False for padding. Samples of one batch may have different ``T``; collation pads them.
    - ``metadata``: free per-sample data of JSON-able values (``str``, ``int``, ``float``, ``bool``,
      ``None``, lists and string-keyed dicts of them); a batch holds a list of them, one per sample.

    ``degradation_seed`` (int64, 0-D) keys a batch degradation pipeline's draws for the sample; the
    DataModule adds it when a pipeline is configured and consumes it once the pipeline has run.
    """

    lr: Tensor
    hr: Tensor
    mask: NotRequired[Tensor]
    holes: NotRequired[Tensor]
    embedding: NotRequired[Tensor]
    tokens: NotRequired[Tensor]
    token_mask: NotRequired[Tensor]
    metadata: NotRequired[dict[str, Any]]
    degradation_seed: NotRequired[Tensor]


@attrs.frozen(kw_only=True)
class Conditioning:
    """Batched conditioning handed to generators and discriminators, already normalised.

    Every field is optional; a network reads the fields its ``Capabilities.conditioning`` declares and
    must raise a clear error when a field it needs is missing. Spatial fields are at the resolution of
    the tensor the network receives (a generator's input, a discriminator's image); tasks resize them.

    Attributes:
        holes: ``[B, 1 or C, *S]``, 1 where pixels are missing (to be generated), 0 where known.
        embedding: ``[B, E]`` global embedding (pooled prompt, class or metadata embedding).
        tokens: ``[B, T, E]`` token embeddings.
        token_mask: ``[B, T]`` bool, True for real tokens, False for padding.
        latent: ``[B, latent_dim]`` latent code of stochastic generators (drawn when absent).
    """

    holes: Tensor | None = None
    embedding: Tensor | None = None
    tokens: Tensor | None = None
    token_mask: Tensor | None = None
    latent: Tensor | None = None


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


@attrs.frozen
class Preview:
    """What a task draws for one validation batch: titled columns, one row per sample.

    Attributes:
        columns: ``(title, batch)`` pairs in display order; each batch is ``[B, C, *S]`` in sensor
            units (or ``[B, 1, *S]`` in ``[0, 1]`` for masks), at any resolution: the grid enlarges
            every column to the largest with nearest-neighbour. A one-band batch of only 0s and 1s
            (or a bool batch) is drawn as a mask: known black, holes white.
        captions: one text per row (e.g. the prompt), drawn as a strip under the row; ``None`` for none.
    """

    columns: tuple[tuple[str, Tensor], ...]
    captions: tuple[str, ...] | None = None
