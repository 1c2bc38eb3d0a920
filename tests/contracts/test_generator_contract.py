"""Every registered generator, in every spatial dim it declares, honours the Generator protocol."""

from __future__ import annotations

import copy
from unittest import mock

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import Tensor, nn

from gan_engine.nn import banded
from gan_engine.nn.layers import channels_last_format
from gan_engine.protocols import Generator
from gan_engine.registry import GENERATORS, Entry, GeneratorFactory
from gan_engine.types import Conditioning, SpatialDims
from tests.contracts.strategies import (
    CONTRACT_SETTINGS,
    GeneratorCase,
    LatentConditioned,
    assert_finite_gradient_on_every_parameter,
    cases,
    generator_cases,
    latent_for,
    small_params,
)

ENTRIES = GENERATORS.entries()
CASES = cases(ENTRIES)
CHANNELS_LAST_CASES = cases(e for e in ENTRIES if e.capabilities.channels_last_safe)


def is_latent_conditioned(entry: Entry[GeneratorFactory]) -> bool:
    params = small_params(entry)
    dims = min(entry.capabilities.spatial_dims)
    model = entry.factory(dims, 1, 1, min(entry.capabilities.scales or {2}), params)
    return isinstance(model, LatentConditioned)


LATENT_CASES = cases(e for e in ENTRIES if is_latent_conditioned(e))


def test_registry_has_generators_and_no_broken_modules() -> None:
    assert ENTRIES
    assert GENERATORS.broken() == {}


def build(entry: Entry[GeneratorFactory], dims: SpatialDims, case: GeneratorCase) -> nn.Module:
    """The model for ``case``, its weights drawn from ``case.seed``."""
    torch.manual_seed(case.seed)
    model = entry.factory(dims, case.channels, case.channels, case.scale, small_params(entry))
    assert isinstance(model, Generator)
    assert isinstance(model, nn.Module), "generators are nn.Modules (the trainer relies on it)"
    return model


def lr_batch(case: GeneratorCase) -> Tensor:
    generator = torch.Generator().manual_seed(case.seed)
    return torch.rand(case.batch, case.channels, *case.spatial, generator=generator)


def cond_for(
    entry: Entry[GeneratorFactory], model: nn.Module, case: GeneratorCase
) -> Conditioning | None:
    """What ``model`` must receive: a seeded latent for stochastic generators, seeded holes (about
    half the pixels, at least one) for those declaring ``mask``; ``None`` for the others."""
    seed = case.seed
    latent = latent_for(model, case.batch, seed)
    if "mask" not in entry.capabilities.conditioning:
        return latent
    generator = torch.Generator().manual_seed(seed)
    holes = (torch.rand(case.batch, 1, *case.spatial, generator=generator) < 0.5).float()
    holes.view(case.batch, -1)[:, 0] = 1.0
    return Conditioning(holes=holes, latent=None if latent is None else latent.latent)


@pytest.mark.parametrize(("entry", "dims"), CASES)
def test_satisfies_the_protocol(entry: Entry[GeneratorFactory], dims: SpatialDims) -> None:
    model = entry.factory(dims, 2, 2, min(entry.capabilities.scales or {2}), small_params(entry))
    assert isinstance(model, Generator)
    assert isinstance(model, nn.Module)
    assert model.spatial_dims == dims
    assert (model.in_channels, model.out_channels) == (2, 2)


@pytest.mark.parametrize(("entry", "dims"), CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_forward_shape_and_finite(
    entry: Entry[GeneratorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    case = data.draw(generator_cases(entry, dims))
    model = build(entry, dims, case)
    sr = model(lr_batch(case), cond_for(entry, model, case))
    expected = (case.batch, case.channels, *(size * case.scale for size in case.spatial))
    assert sr.shape == expected
    assert sr.dtype == torch.float32
    assert torch.isfinite(sr).all()


@pytest.mark.parametrize(("entry", "dims"), CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_backward_reaches_every_parameter(
    entry: Entry[GeneratorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    case = data.draw(generator_cases(entry, dims))
    model = build(entry, dims, case)
    torch.autograd.backward(model(lr_batch(case), cond_for(entry, model, case)).square().mean())
    assert_finite_gradient_on_every_parameter(model)


@pytest.mark.parametrize(("entry", "dims"), CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_same_seed_same_output(
    entry: Entry[GeneratorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    case = data.draw(generator_cases(entry, dims))
    first_model, second_model = build(entry, dims, case), build(entry, dims, case)
    first = first_model(lr_batch(case), cond_for(entry, first_model, case))
    second = second_model(lr_batch(case), cond_for(entry, second_model, case))
    assert torch.equal(first, second)


@pytest.mark.parametrize(("entry", "dims"), CHANNELS_LAST_CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_channels_last_gives_the_same_output(
    entry: Entry[GeneratorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    case = data.draw(generator_cases(entry, dims))
    model = build(entry, dims, case).eval()
    fmt = channels_last_format(dims)
    lr = lr_batch(case)
    z = cond_for(entry, model, case)  # stochastic generators: one z for both runs
    with torch.no_grad():
        reference = model(lr, z)
        converted = copy.deepcopy(model).to(memory_format=fmt)
        out = converted(lr.contiguous(memory_format=fmt), z)
    torch.testing.assert_close(out, reference, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("entry", "dims"), CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_inference_without_autograd_gives_the_same_output(
    entry: Entry[GeneratorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    # without autograd, layers may write into their own maps and upsample in bands
    # (gan_engine.nn.eager, gan_engine.nn.banded; bands shrunk here so that they are used):
    # the values must be those of the recorded forward, and the caller's input stays untouched
    case = data.draw(generator_cases(entry, dims))
    model = build(entry, dims, case).eval()
    lr = lr_batch(case)
    z = cond_for(entry, model, case)
    reference = model(lr, z).detach()
    kept = lr.clone()
    with mock.patch.multiple(banded, BAND_PIXELS=1, HALO_FRACTION=1), torch.inference_mode():
        out = model(lr, z)
    assert torch.equal(lr, kept)
    torch.testing.assert_close(out, reference, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("entry", "dims"), LATENT_CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_latent_selects_the_output(
    entry: Entry[GeneratorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    """Same z → same output, another z → another output, no z → drawn from the seeded global RNG."""
    case = data.draw(generator_cases(entry, dims))
    model = build(entry, dims, case).eval()
    lr = lr_batch(case)
    z = latent_for(model, case.batch, case.seed)
    other = latent_for(model, case.batch, case.seed + 1)
    with torch.no_grad():
        first, again, changed = model(lr, z), model(lr, z), model(lr, other)
        torch.manual_seed(case.seed)
        drawn = model(lr)
        torch.manual_seed(case.seed)
        redrawn = model(lr)
    assert first.shape == drawn.shape
    assert torch.equal(first, again)
    assert not torch.equal(first, changed)
    assert torch.equal(drawn, redrawn)
