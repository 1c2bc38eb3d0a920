"""Hypothesis strategies and helpers shared by the registry contract tests.

The tests iterate the registries, so every component is tested the moment it is registered. Shapes
are drawn small (2D: 6–16 px, 3D: 4–8 voxels, raised to the small model's ``min_input_size``) and
models are built with ``params_cls.tiny()`` when the parameter class offers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

import attrs
import pytest
import torch
from hypothesis import settings
from hypothesis import strategies as st
from torch import nn

from gan_engine.registry import Capabilities, Entry
from gan_engine.types import Conditioning, ConditioningKind, SpatialDims

CONTRACT_SETTINGS = settings(deadline=None, max_examples=5, derandomize=True, database=None)

SIZE_RANGES: dict[int, tuple[int, int]] = {2: (6, 16), 3: (4, 8)}
TEST_SCALES = frozenset({2, 3, 4})


@runtime_checkable
class LatentConditioned(Protocol):
    """A generator whose ``cond`` is a latent code ``z[B, latent_dim]``."""

    latent_dim: int


@runtime_checkable
class TextConditioned(Protocol):
    """A generator whose ``cond`` carries a prompt: ``embedding[B, E]`` and ``tokens[B, T, E_t]``."""

    embedding_dim: int
    token_dim: int


def prompt_conditioning(
    model: TextConditioned, batch: int, seed: int, *, tokens: int = 3
) -> Conditioning:
    """A seeded random prompt encoding: embedding, ``tokens`` token embeddings, mixed lengths.

    Sample ``i`` has ``tokens - i`` real tokens (at least none: an empty prompt), the rest padding.
    """
    generator = torch.Generator().manual_seed(seed)
    embedding = torch.randn(batch, model.embedding_dim, generator=generator)
    sequence = torch.randn(batch, tokens, model.token_dim, generator=generator)
    lengths = torch.tensor([max(tokens - row, 0) for row in range(batch)])
    mask = torch.arange(tokens)[None, :] < lengths[:, None]
    return Conditioning(embedding=embedding, tokens=sequence, token_mask=mask)


def conditioning_for(model: nn.Module, batch: int, seed: int) -> Conditioning | None:
    """The conditioning ``model`` takes, seeded: a latent ``z`` and/or a prompt; else ``None``."""
    latent = None
    if isinstance(model, LatentConditioned):
        generator = torch.Generator().manual_seed(seed)
        latent = torch.randn(batch, model.latent_dim, generator=generator)
    if isinstance(model, TextConditioned):
        return attrs.evolve(prompt_conditioning(model, batch, seed), latent=latent)
    return None if latent is None else Conditioning(latent=latent)


def small_params(entry: Entry[Any]) -> Any:
    """``params_cls.tiny()`` when the class offers it, else the defaults."""
    tiny = getattr(entry.params_cls, "tiny", None)
    return tiny() if callable(tiny) else entry.params_cls()


def min_input_size(entry: Entry[Any]) -> int:
    """The smallest input size of the ``small_params`` model.

    Capabilities declare it for the default parameters; a parameter class with a
    ``min_input_size()`` method gives it for the small ones (often much smaller, so faster).
    """
    method = getattr(small_params(entry), "min_input_size", None)
    return int(method()) if callable(method) else entry.capabilities.min_input_size


def assert_finite_gradient_on_every_parameter(model: nn.Module) -> None:
    """After ``backward()``: every parameter has a gradient, and it is finite."""
    grads = {name: parameter.grad for name, parameter in model.named_parameters()}
    missing = [name for name, grad in grads.items() if grad is None]
    assert not missing, f"no gradient reached {missing}"
    non_finite = [
        name for name, grad in grads.items() if grad is not None and not torch.isfinite(grad).all()
    ]
    assert not non_finite, f"non-finite gradient on {non_finite}"


def cases(entries: Iterable[Entry[Any]]) -> list[Any]:
    """One pytest param per entry and declared spatial dim, with a readable id."""
    return [
        pytest.param(entry, dims, id=f"{entry.name}-{dims}d")
        for entry in entries
        for dims in sorted(entry.capabilities.spatial_dims)
    ]


def spatial_sizes(dims: SpatialDims, min_input_size: int) -> st.SearchStrategy[tuple[int, ...]]:
    """A size per spatial axis, each drawn independently, none below ``min_input_size``."""
    low, high = SIZE_RANGES[dims]
    low = max(low, min_input_size)
    high = max(high, low)
    return st.tuples(*[st.integers(low, high)] * dims)


def scales(capabilities: Capabilities) -> st.SearchStrategy[int]:
    """A supported scale in {2, 3, 4}; the smallest supported one when none of those is."""
    if capabilities.scales is None:
        return st.sampled_from(sorted(TEST_SCALES))
    allowed = sorted(capabilities.scales & TEST_SCALES) or [min(capabilities.scales)]
    return st.sampled_from(allowed)


@attrs.frozen
class GeneratorCase:
    """One drawn generator configuration and input shape."""

    channels: int
    scale: int
    batch: int
    spatial: tuple[int, ...]
    seed: int


@attrs.frozen
class DiscriminatorCase:
    """One drawn discriminator configuration and input shape."""

    channels: int
    batch: int
    spatial: tuple[int, ...]
    seed: int


seeds = st.integers(0, 2**16)
channel_counts = st.integers(1, 5)
batch_sizes = st.integers(1, 2)


def generator_cases(entry: Entry[Any], dims: SpatialDims) -> st.SearchStrategy[GeneratorCase]:
    """Channels, scale, batch, LR size and seed for ``entry`` in ``dims``."""
    caps = entry.capabilities
    return st.builds(
        GeneratorCase,
        channels=channel_counts,
        scale=scales(caps),
        batch=batch_sizes,
        spatial=spatial_sizes(dims, min_input_size(entry)),
        seed=seeds,
    )


def discriminator_cases(
    entry: Entry[Any], dims: SpatialDims
) -> st.SearchStrategy[DiscriminatorCase]:
    """Channels, batch, input size and seed for ``entry`` in ``dims``."""
    return st.builds(
        DiscriminatorCase,
        channels=channel_counts,
        batch=batch_sizes,
        spatial=spatial_sizes(dims, min_input_size(entry)),
        seed=seeds,
    )


@attrs.frozen
class ConditionedCase:
    """A drawn discriminator case with conditioning switched on.

    ``mask_channels`` is 0, 1 or ``case.channels``; ``embedding_dim`` is ``None`` or a width.
    ``holes_scale`` is 1 when the mask comes at the image's resolution, 2 when at half of it (the
    discriminator resizes it).
    """

    case: DiscriminatorCase
    mask_channels: int
    embedding_dim: int | None
    holes_scale: int


@st.composite
def conditioned_cases(
    draw: st.DrawFn, entry: Entry[Any], dims: SpatialDims, kind: ConditioningKind
) -> ConditionedCase:
    """A case that uses ``kind`` and, at random, the entry's other declared conditioning."""
    case = draw(discriminator_cases(entry, dims))
    declared = entry.capabilities.conditioning
    mask_choices = [1, case.channels] if kind == "mask" else [0, 1, case.channels]
    mask_channels = draw(st.sampled_from(mask_choices)) if "mask" in declared else 0
    widths = st.integers(1, 6)
    if kind == "embedding":
        embedding_dim: int | None = draw(widths)
    elif "embedding" in declared:
        embedding_dim = draw(st.none() | widths)
    else:
        embedding_dim = None
    holes_scale = draw(st.sampled_from([1, 2])) if mask_channels else 1
    return ConditionedCase(case, mask_channels, embedding_dim, holes_scale)


def discriminator_conditioning(conditioned: ConditionedCase, seed: int) -> Conditioning:
    """Seeded holes (at least one per sample) and embeddings for ``conditioned``."""
    case = conditioned.case
    generator = torch.Generator().manual_seed(seed)
    holes = None
    if conditioned.mask_channels:
        size = [max(1, n // conditioned.holes_scale) for n in case.spatial]
        channels = conditioned.mask_channels
        holes = (torch.rand(case.batch, channels, *size, generator=generator) > 0.5).float()
        holes.view(case.batch, -1)[:, 0] = 1.0  # channel 0's first pixel: a hole in every sample
    embedding = None
    if conditioned.embedding_dim is not None:
        embedding = torch.randn(case.batch, conditioned.embedding_dim, generator=generator)
    return Conditioning(holes=holes, embedding=embedding)
