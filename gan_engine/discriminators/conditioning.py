"""Conditioning shared by every discriminator: a hole mask as extra input channels, a projection head.

A discriminator parameter class opts in with two fields, read here by name so that the spec checks,
the contract tests and the documentation find them on any discriminator:

- ``mask_channels: int`` (default 0, off): 0, 1 or ``in_channels`` channels of ``cond.holes``
  concatenated to the image before the first conv (DeepFill v2's SN-PatchGAN sees the mask so).
- ``embedding_dim: int | None`` (default None, off): width of ``cond.embedding``, scored by a
  projection head (Miyato & Koyama 2018): ``logit + <h, W e>`` where ``h`` is the discriminator's
  last features at each logit's position.

With both off a discriminator has exactly the parameters, initialisation order and outputs it had
before conditioning existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.nn.mask_pool import resize_mask
from gan_engine.nn.spectral import spectrally_normalised
from gan_engine.types import BuildContext, Conditioning, ConditioningKind


@runtime_checkable
class MaskConditioned(Protocol):
    """Parameters with a ``mask_channels`` field (0 = no mask input)."""

    mask_channels: int


@runtime_checkable
class EmbeddingConditioned(Protocol):
    """Parameters with an ``embedding_dim`` field (``None`` = no projection head)."""

    embedding_dim: int | None


def enabled_conditioning(params: object) -> frozenset[ConditioningKind]:
    """The conditioning a discriminator built with ``params`` reads (a subset of its capabilities)."""
    kinds: set[ConditioningKind] = set()
    if isinstance(params, MaskConditioned) and params.mask_channels > 0:
        kinds.add("mask")
    if isinstance(params, EmbeddingConditioned) and params.embedding_dim is not None:
        kinds.add("embedding")
    return frozenset(kinds)


def mask_channels_errors(mask_channels: int, channels: int) -> list[InvalidParamError]:
    """``mask_channels`` must be 0, 1 or the image's channel count."""
    if mask_channels in (0, 1, channels):
        return []
    message = f"expected 0, 1 or {channels} (the image's channels), got {mask_channels}"
    return [InvalidParamError("mask_channels", message)]


def check_mask_context(mask_channels: int, context: BuildContext) -> Iterable[InvalidParamError]:
    """The spec-time form of :func:`mask_channels_errors`, for a parameter class's ``check``."""
    return mask_channels_errors(mask_channels, context.channels)


def check_mask_channels(owner: str, mask_channels: int, in_channels: int) -> None:
    """Raise ``ValueError`` when ``mask_channels`` is not 0, 1 or ``in_channels``."""
    for error in mask_channels_errors(mask_channels, in_channels):
        msg = f"{owner}: mask_channels: {error.message}"
        raise ValueError(msg)


def with_mask(owner: str, x: Tensor, cond: Conditioning | None, mask_channels: int) -> Tensor:
    """``x[B, C, *S]`` with ``mask_channels`` channels of ``cond.holes`` appended: ``[B, C + m, *S]``.

    ``cond.holes`` is ``[B, 1 or m, *S_h]``; a one-channel mask is repeated to ``m`` channels, and a
    mask at another resolution is resized to ``S`` keeping holes (max pooling when shrinking,
    nearest-neighbour when growing). Returns ``x`` itself when ``mask_channels`` is 0.
    """
    if mask_channels == 0:
        return x
    holes = None if cond is None else cond.holes
    axes = "H, W" if x.ndim == 4 else "D, H, W"
    if holes is None:
        msg = (
            f"{owner} was built with mask_channels={mask_channels} and needs cond.holes of shape "
            f"[B, 1 or {mask_channels}, {axes}], got no holes"
        )
        raise ValueError(msg)
    if (
        holes.ndim != x.ndim
        or holes.shape[0] != x.shape[0]
        or holes.shape[1] not in (1, mask_channels)
    ):
        msg = (
            f"{owner} expects cond.holes of shape [{x.shape[0]}, 1 or {mask_channels}, {axes}] "
            f"for x of shape {tuple(x.shape)}, got {tuple(holes.shape)}"
        )
        raise ValueError(msg)
    holes = resize_mask(holes, x.shape[2:]).to(dtype=x.dtype)
    holes = holes.expand(-1, mask_channels, *x.shape[2:])
    return torch.cat([x, holes], dim=1)


def embedding_of(owner: str, cond: Conditioning | None, embedding_dim: int, batch: int) -> Tensor:
    """``cond.embedding``, checked to be ``[batch, embedding_dim]``."""
    embedding = None if cond is None else cond.embedding
    if embedding is None:
        msg = (
            f"{owner} was built with embedding_dim={embedding_dim} and needs cond.embedding of "
            f"shape [B, {embedding_dim}], got no embedding"
        )
        raise ValueError(msg)
    if tuple(embedding.shape) != (batch, embedding_dim):
        msg = (
            f"{owner} expects cond.embedding of shape [{batch}, {embedding_dim}], "
            f"got {tuple(embedding.shape)}"
        )
        raise ValueError(msg)
    return embedding


class EmbeddingProjection(nn.Module):
    """The projection term ``<h, W e>`` of a projection discriminator, at every logit position.

    ``forward(h[B, C, *S'], e[B, E]) -> [B, 1, *S']``: ``W`` is a bias-free linear map from the
    embedding to the feature channels (spectrally normalised when ``spectral``, as the
    discriminator's convs), and the dot product is taken per position, so a patch or per-pixel
    discriminator scores each patch or pixel against the embedding.
    """

    def __init__(self, embedding_dim: int, feature_channels: int, *, spectral: bool) -> None:
        super().__init__()
        if embedding_dim < 1 or feature_channels < 1:
            msg = (
                "EmbeddingProjection: embedding_dim and feature_channels must be >= 1, got "
                f"{embedding_dim} and {feature_channels}"
            )
            raise ValueError(msg)
        self.embedding_dim = embedding_dim
        self.embed = spectrally_normalised(
            nn.Linear(embedding_dim, feature_channels, bias=False), enabled=spectral
        )

    def forward(self, h: Tensor, embedding: Tensor) -> Tensor:
        """Per-position dot product of ``h`` with ``W e``."""
        weights: Tensor = self.embed(embedding)
        weights = weights.reshape(*weights.shape, *([1] * (h.ndim - 2)))
        return (h * weights).sum(dim=1, keepdim=True)
