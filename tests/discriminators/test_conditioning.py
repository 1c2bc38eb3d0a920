"""Discriminator conditioning: mask channels, the projection head, and masks pooled to logit grids."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_engine.discriminators.conditioning import (
    EmbeddingProjection,
    enabled_conditioning,
    with_mask,
)
from gan_engine.errors import InvalidParamError
from gan_engine.nn.mask_pool import pool_mask_to
from gan_engine.registry import DISCRIMINATORS, DiscriminatorFactory, Entry
from gan_engine.types import BuildContext, Conditioning, SpatialDims
from tests.contracts.strategies import cases, min_input_size, small_params

CASES = cases(DISCRIMINATORS.entries())


def _size(entry: Entry[DiscriminatorFactory], dims: int) -> int:
    return max(min_input_size(entry), 12 if dims == 2 else 8)


@pytest.mark.parametrize(("entry", "dims"), CASES)
def test_a_mask_pools_to_every_discriminators_logit_grid(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims
) -> None:
    torch.manual_seed(0)
    model = entry.factory(dims, 2, small_params(entry))
    size = _size(entry, dims)
    logits = model(torch.rand(2, 2, *([size] * dims)))
    holes = torch.zeros(2, 1, *([size] * dims))
    holes[1, 0, *([size // 2] * dims)] = 1.0  # one hole pixel in sample 1, none in sample 0
    pooled = pool_mask_to(holes, logits.shape)
    assert pooled.shape == logits.shape
    assert pooled[0].sum() == 0.0
    assert pooled[1].max() == 1.0
    assert set(pooled.flatten().tolist()) <= {0.0, 1.0}
    assert pool_mask_to(torch.ones_like(holes), logits.shape).min() == 1.0


def _build(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims, channels: int, params: Any
) -> nn.Module:
    """The discriminator in eval mode (no batch-statistics or spectral-norm updates)."""
    model = entry.factory(dims, channels, params)
    assert isinstance(model, nn.Module)
    return model.eval()


def _conditioned(entry: Entry[DiscriminatorFactory], **changes: Any) -> Any:
    return attrs.evolve(small_params(entry), **changes)


@pytest.mark.parametrize(("entry", "dims"), CASES)
def test_a_mask_at_another_resolution_is_resized_keeping_holes(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims
) -> None:
    torch.manual_seed(1)
    model = _build(entry, dims, 3, _conditioned(entry, mask_channels=1))
    size = 2 * _size(entry, dims)
    x = torch.rand(1, 3, *([size] * dims))
    half = (torch.rand(1, 1, *([size // 2] * dims)) > 0.7).float()
    full = F.interpolate(half, scale_factor=2, mode="nearest")
    with torch.no_grad():
        torch.testing.assert_close(
            model(x, Conditioning(holes=half)), model(x, Conditioning(holes=full))
        )


@pytest.mark.parametrize(("entry", "dims"), CASES)
def test_a_missing_or_misshapen_mask_is_a_clear_error(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims
) -> None:
    model = entry.factory(dims, 3, _conditioned(entry, mask_channels=3))
    size = _size(entry, dims)
    x = torch.rand(1, 3, *([size] * dims))
    with pytest.raises(ValueError, match=r"mask_channels=3 and needs cond.holes"):
        model(x)
    with pytest.raises(ValueError, match=r"expects cond.holes of shape \[1, 1 or 3"):
        model(x, Conditioning(holes=torch.zeros(1, 2, *([size] * dims))))


@pytest.mark.parametrize(("entry", "dims"), CASES)
def test_mask_channels_must_be_0_1_or_the_image_channels(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims
) -> None:
    params = _conditioned(entry, mask_channels=2)
    with pytest.raises(ValueError, match=r"mask_channels: expected 0, 1 or 3 .* got 2"):
        entry.factory(dims, 3, params)
    errors = list(params.check(BuildContext(spatial_dims=dims, channels=3, scale=2)))
    assert [error.key for error in errors] == ["mask_channels"]
    assert not list(params.check(BuildContext(spatial_dims=dims, channels=2, scale=2)))
    with pytest.raises(InvalidParamError, match="mask_channels: must be >= 0"):
        _conditioned(entry, mask_channels=-1)


EMBEDDING_CASES = cases(
    e for e in DISCRIMINATORS.entries() if "embedding" in e.capabilities.conditioning
)


def test_patchgan_and_unet_offer_a_projection_head() -> None:
    names = {entry.name for entry in DISCRIMINATORS.entries()}
    with_head = {
        entry.name
        for entry in DISCRIMINATORS.entries()
        if "embedding" in entry.capabilities.conditioning
    }
    assert {"patchgan", "unet"} <= with_head <= names
    builtins = [entry for entry in DISCRIMINATORS.entries() if entry.origin == "builtin"]
    assert all("mask" in entry.capabilities.conditioning for entry in builtins)


@pytest.mark.parametrize(("entry", "dims"), EMBEDDING_CASES)
def test_a_missing_or_misshapen_embedding_is_a_clear_error(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims
) -> None:
    model = entry.factory(dims, 1, _conditioned(entry, embedding_dim=5))
    x = torch.rand(2, 1, *([_size(entry, dims)] * dims))
    with pytest.raises(ValueError, match=r"embedding_dim=5 and needs cond.embedding"):
        model(x, Conditioning())
    with pytest.raises(ValueError, match=r"expects cond.embedding of shape \[2, 5\], got \(2, 4\)"):
        model(x, Conditioning(embedding=torch.zeros(2, 4)))


@pytest.mark.parametrize(("entry", "dims"), EMBEDDING_CASES)
def test_the_projection_adds_h_dot_we_to_the_unconditioned_logits(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims
) -> None:
    """A zero embedding leaves the plain discriminator: the head adds ``<h, W e>``, nothing else."""
    torch.manual_seed(2)
    plain = _build(entry, dims, 2, small_params(entry))
    torch.manual_seed(2)
    model = _build(entry, dims, 2, _conditioned(entry, embedding_dim=3))
    x = torch.rand(2, 2, *([_size(entry, dims)] * dims))
    embedding = torch.randn(2, 3)
    with torch.no_grad():
        reference = plain(x)
        assert not torch.allclose(model(x, Conditioning(embedding=embedding)), reference)
        zero = Conditioning(embedding=torch.zeros(2, 3))
        torch.testing.assert_close(model(x, zero), reference, rtol=0, atol=0)


def test_projection_is_a_per_position_dot_product() -> None:
    torch.manual_seed(3)
    head = EmbeddingProjection(4, 6, spectral=False)
    h = torch.randn(2, 6, 3, 5)
    e = torch.randn(2, 4)
    expected = torch.einsum("bchw,bc->bhw", h, e @ head.embed.weight.T)[:, None]
    torch.testing.assert_close(head(h, e), expected)


def test_with_mask_appends_repeated_channels_and_leaves_unmasked_inputs_alone() -> None:
    x = torch.rand(2, 3, 4, 4)
    assert with_mask("D", x, None, 0) is x
    holes = torch.zeros(2, 1, 4, 4)
    holes[0, 0, 1, 2] = 1.0
    out = with_mask("D", x, Conditioning(holes=holes), 3)
    assert out.shape == (2, 6, 4, 4)
    assert torch.equal(out[:, :3], x)
    assert torch.equal(out[:, 3:], holes.expand(-1, 3, -1, -1))


def test_enabled_conditioning_reads_the_parameters() -> None:
    entry = DISCRIMINATORS.get("patchgan")
    assert enabled_conditioning(entry.params_cls()) == frozenset()
    params = entry.params_cls(mask_channels=1, embedding_dim=8)
    assert enabled_conditioning(params) == {"mask", "embedding"}
    assert enabled_conditioning(DISCRIMINATORS.get("srgan").params_cls(mask_channels=1)) == {"mask"}
