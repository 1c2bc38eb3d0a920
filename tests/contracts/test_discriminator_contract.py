"""Every registered discriminator, in each spatial dim it declares, honours its protocol."""

from __future__ import annotations

import copy

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import Tensor, nn

from gan_engine.nn.layers import channels_last_format
from gan_engine.protocols import Discriminator
from gan_engine.registry import DISCRIMINATORS, DiscriminatorFactory, Entry
from gan_engine.types import SpatialDims
from tests.contracts.strategies import (
    CONTRACT_SETTINGS,
    DiscriminatorCase,
    assert_finite_gradient_on_every_parameter,
    cases,
    discriminator_cases,
    small_params,
)

ENTRIES = DISCRIMINATORS.entries()
CASES = cases(ENTRIES)
CHANNELS_LAST_CASES = cases(e for e in ENTRIES if e.capabilities.channels_last_safe)


def test_registry_has_discriminators_and_no_broken_modules() -> None:
    assert ENTRIES
    assert DISCRIMINATORS.broken() == {}


def build(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims, case: DiscriminatorCase
) -> nn.Module:
    """The model for ``case``, its weights drawn from ``case.seed``."""
    torch.manual_seed(case.seed)
    model = entry.factory(dims, case.channels, small_params(entry))
    assert isinstance(model, Discriminator)
    assert isinstance(model, nn.Module), "discriminators are nn.Modules (the trainer relies on it)"
    return model


def image_batch(case: DiscriminatorCase) -> Tensor:
    generator = torch.Generator().manual_seed(case.seed)
    return torch.rand(case.batch, case.channels, *case.spatial, generator=generator)


def assert_logits_shape(logits: Tensor, case: DiscriminatorCase) -> None:
    """``[B, 1]`` (global) or ``[B, 1, *S']`` (patch) with as many spatial axes as the input."""
    assert logits.shape[:2] == (case.batch, 1), logits.shape
    assert logits.ndim in (2, 2 + len(case.spatial)), logits.shape


@pytest.mark.parametrize(("entry", "dims"), CASES)
def test_satisfies_the_protocol(entry: Entry[DiscriminatorFactory], dims: SpatialDims) -> None:
    model = entry.factory(dims, 3, small_params(entry))
    assert isinstance(model, Discriminator)
    assert isinstance(model, nn.Module)
    assert (model.spatial_dims, model.in_channels) == (dims, 3)


@pytest.mark.parametrize(("entry", "dims"), CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_forward_and_features(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    case = data.draw(discriminator_cases(entry, dims))
    model = build(entry, dims, case)
    assert isinstance(model, Discriminator)
    x = image_batch(case)
    logits = model(x)
    assert_logits_shape(logits, case)
    assert torch.isfinite(logits).all()
    features = model.features(x)
    assert features
    for feature in features:
        assert feature.shape[0] == case.batch
        assert feature.ndim == x.ndim
        assert torch.isfinite(feature).all()


@pytest.mark.parametrize(("entry", "dims"), CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_backward_reaches_every_parameter(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    case = data.draw(discriminator_cases(entry, dims))
    model = build(entry, dims, case)
    torch.autograd.backward(model(image_batch(case)).square().mean())
    assert_finite_gradient_on_every_parameter(model)


@pytest.mark.parametrize(("entry", "dims"), CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_same_seed_same_output(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    case = data.draw(discriminator_cases(entry, dims))
    first = build(entry, dims, case)(image_batch(case))
    second = build(entry, dims, case)(image_batch(case))
    assert torch.equal(first, second)


@pytest.mark.parametrize(("entry", "dims"), CHANNELS_LAST_CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_channels_last_gives_the_same_output(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    case = data.draw(discriminator_cases(entry, dims))
    model = build(entry, dims, case).eval()
    fmt = channels_last_format(dims)
    x = image_batch(case)
    with torch.no_grad():
        reference = model(x)
        converted = copy.deepcopy(model).to(memory_format=fmt)
        out = converted(x.contiguous(memory_format=fmt))
    torch.testing.assert_close(out, reference, rtol=1e-4, atol=1e-5)
