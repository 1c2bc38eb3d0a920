"""Every registered discriminator, in each spatial dim it declares, honours its protocol."""

from __future__ import annotations

import copy
from typing import Any

import attrs
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import Tensor, nn

from gan_engine.nn.layers import channels_last_format
from gan_engine.protocols import Discriminator
from gan_engine.registry import DISCRIMINATORS, DiscriminatorFactory, Entry
from gan_engine.types import Conditioning, ConditioningKind, SpatialDims
from tests.contracts.strategies import (
    CONTRACT_SETTINGS,
    ConditionedCase,
    DiscriminatorCase,
    assert_finite_gradient_on_every_parameter,
    cases,
    conditioned_cases,
    discriminator_cases,
    discriminator_conditioning,
    small_params,
)

ENTRIES = DISCRIMINATORS.entries()
CASES = cases(ENTRIES)
CHANNELS_LAST_CASES = cases(e for e in ENTRIES if e.capabilities.channels_last_safe)
CONDITIONED_CASES = [
    pytest.param(entry, dims, kind, id=f"{entry.name}-{dims}d-{kind}")
    for entry in ENTRIES
    for dims in sorted(entry.capabilities.spatial_dims)
    # the kinds with a parameter convention (mask_channels, embedding_dim); see
    # gan_engine.discriminators.conditioning
    for kind in sorted(entry.capabilities.conditioning & {"mask", "embedding"})
]


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


# --- conditioned forms: every declared conditioning kind in every declared dim -------------------


def test_every_builtin_discriminator_declares_a_mask_input() -> None:
    builtins = [entry for entry in ENTRIES if entry.origin == "builtin"]
    assert builtins
    assert all("mask" in entry.capabilities.conditioning for entry in builtins)


def build_conditioned(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims, conditioned: ConditionedCase
) -> nn.Module:
    """The model for ``conditioned``, with its conditioning parameters switched on."""
    changes: dict[str, Any] = {}
    if conditioned.mask_channels:
        changes["mask_channels"] = conditioned.mask_channels
    if conditioned.embedding_dim is not None:
        changes["embedding_dim"] = conditioned.embedding_dim
    params = attrs.evolve(small_params(entry), **changes)
    torch.manual_seed(conditioned.case.seed)
    model = entry.factory(dims, conditioned.case.channels, params)
    assert isinstance(model, Discriminator)
    assert isinstance(model, nn.Module)
    return model


@pytest.mark.parametrize(("entry", "dims", "kind"), CONDITIONED_CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_conditioned_forward_and_features(
    entry: Entry[DiscriminatorFactory],
    dims: SpatialDims,
    kind: ConditioningKind,
    data: st.DataObject,
) -> None:
    conditioned = data.draw(conditioned_cases(entry, dims, kind))
    model = build_conditioned(entry, dims, conditioned)
    assert isinstance(model, Discriminator)
    x = image_batch(conditioned.case)
    cond = discriminator_conditioning(conditioned, conditioned.case.seed)
    logits = model(x, cond)
    assert_logits_shape(logits, conditioned.case)
    assert torch.isfinite(logits).all()
    for feature in model.features(x, cond):
        assert feature.shape[0] == conditioned.case.batch
        assert torch.isfinite(feature).all()


@pytest.mark.parametrize(("entry", "dims", "kind"), CONDITIONED_CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_conditioned_backward_reaches_every_parameter(
    entry: Entry[DiscriminatorFactory],
    dims: SpatialDims,
    kind: ConditioningKind,
    data: st.DataObject,
) -> None:
    """Including the projection head's ``W`` when an embedding is used."""
    conditioned = data.draw(conditioned_cases(entry, dims, kind))
    model = build_conditioned(entry, dims, conditioned)
    cond = discriminator_conditioning(conditioned, conditioned.case.seed)
    torch.autograd.backward(model(image_batch(conditioned.case), cond).square().mean())
    assert_finite_gradient_on_every_parameter(model)


@pytest.mark.parametrize(("entry", "dims", "kind"), CONDITIONED_CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_conditioned_same_seed_same_output(
    entry: Entry[DiscriminatorFactory],
    dims: SpatialDims,
    kind: ConditioningKind,
    data: st.DataObject,
) -> None:
    conditioned = data.draw(conditioned_cases(entry, dims, kind))
    x = image_batch(conditioned.case)
    cond = discriminator_conditioning(conditioned, conditioned.case.seed)
    first = build_conditioned(entry, dims, conditioned)(x, cond)
    second = build_conditioned(entry, dims, conditioned)(x, cond)
    assert torch.equal(first, second)


@pytest.mark.parametrize(("entry", "dims", "kind"), CONDITIONED_CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_the_conditioning_changes_the_output(
    entry: Entry[DiscriminatorFactory],
    dims: SpatialDims,
    kind: ConditioningKind,
    data: st.DataObject,
) -> None:
    """Other holes (none instead of some) or another embedding give other logits."""
    conditioned = data.draw(conditioned_cases(entry, dims, kind))
    model = build_conditioned(entry, dims, conditioned).eval()
    x = image_batch(conditioned.case)
    cond = discriminator_conditioning(conditioned, conditioned.case.seed)
    if kind == "mask":
        assert cond.holes is not None
        other = attrs.evolve(cond, holes=torch.zeros_like(cond.holes))
    else:
        assert cond.embedding is not None
        other = attrs.evolve(cond, embedding=cond.embedding + 1.0)
    with torch.no_grad():
        assert not torch.equal(model(x, cond), model(x, other))


@pytest.mark.parametrize(("entry", "dims", "kind"), CONDITIONED_CASES)
def test_missing_conditioning_is_a_clear_error(
    entry: Entry[DiscriminatorFactory], dims: SpatialDims, kind: ConditioningKind
) -> None:
    case = DiscriminatorCase(channels=2, batch=1, spatial=(16,) * dims, seed=0)
    conditioned = ConditionedCase(
        case, 1 if kind == "mask" else 0, 3 if kind == "embedding" else None, 1
    )
    model = build_conditioned(entry, dims, conditioned)
    needed = "cond.holes" if kind == "mask" else "cond.embedding"
    with pytest.raises(ValueError, match=needed):
        model(image_batch(case), Conditioning())
