"""Every registered generator, in every spatial dim it declares, honours the Generator protocol."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import attrs
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import Tensor, nn

from gan_engine.nn import banded
from gan_engine.nn.inference_forms import prepare_inference
from gan_engine.nn.layers import channels_last_format
from gan_engine.protocols import Generator
from gan_engine.registry import GENERATORS, Entry, GeneratorFactory
from gan_engine.types import Conditioning, SpatialDims
from tests.contracts.strategies import (
    CONTRACT_SETTINGS,
    GeneratorCase,
    LatentConditioned,
    TextConditioned,
    assert_finite_gradient_on_every_parameter,
    cases,
    conditioning_for,
    generator_cases,
    prompt_conditioning,
    small_params,
)

ENTRIES = GENERATORS.entries()
REPO = Path(__file__).resolve().parents[2]
CASES = cases(ENTRIES)
CHANNELS_LAST_CASES = cases(e for e in ENTRIES if e.capabilities.channels_last_safe)


def is_latent_conditioned(entry: Entry[GeneratorFactory]) -> bool:
    params = small_params(entry)
    dims = min(entry.capabilities.spatial_dims)
    model = entry.factory(dims, 1, 1, min(entry.capabilities.scales or {2}), params)
    return isinstance(model, LatentConditioned)


LATENT_CASES = cases(e for e in ENTRIES if is_latent_conditioned(e))
TEXT_CASES = cases(e for e in ENTRIES if e.capabilities.conditioning >= {"embedding", "tokens"})
UNCONDITIONED_CASES = cases(e for e in ENTRIES if not e.capabilities.conditioning)


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
    """What ``model`` must receive: a seeded latent and/or prompt (:func:`conditioning_for`), plus
    seeded holes (about half the pixels, at least one) for generators declaring ``mask``."""
    base = conditioning_for(model, case.batch, case.seed)
    if "mask" not in entry.capabilities.conditioning:
        return base
    generator = torch.Generator().manual_seed(case.seed)
    holes = (torch.rand(case.batch, 1, *case.spatial, generator=generator) < 0.5).float()
    holes.view(case.batch, -1)[:, 0] = 1.0
    return Conditioning(holes=holes) if base is None else attrs.evolve(base, holes=holes)


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


SAME_SEED_SCRIPT = """
import sys

import torch

from tests.generators.reference_outputs import cases, compute

outputs = {key: compute(entry, dims, form) for key, entry, dims, form in cases() if form == "train"}
torch.save(outputs, sys.argv[1])
"""


def test_same_seed_same_output_across_processes(tmp_path: Path) -> None:
    # two fresh interpreters (other hash seeds), each building every generator from the same seed
    # and running it in training mode: the outputs must be equal, so a run can be reproduced
    paths = [tmp_path / f"outputs{index}.pt" for index in range(2)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", SAME_SEED_SCRIPT, str(path)],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": str(index), "OMP_NUM_THREADS": "1"},
        )
        for index, path in enumerate(paths)
    ]
    assert [run.wait(timeout=600) for run in runs] == [0, 0]
    outputs = [torch.load(path) for path in paths]
    first, second = outputs
    assert first.keys() == second.keys()
    assert {key.split("/")[0] for key in first} == set(GENERATORS.names())
    for key, output in first.items():
        assert torch.equal(output, second[key]), key


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
    # prepared for inference, layers may write into their own maps and upsample in bands
    # (gan_engine.nn.inference_forms, gan_engine.nn.banded; bands shrunk here so that they are
    # used): the values must be those of the recorded forward, the caller's input stays untouched
    case = data.draw(generator_cases(entry, dims))
    model = build(entry, dims, case).eval()
    lr = lr_batch(case)
    z = cond_for(entry, model, case)
    reference = model(lr, z).detach()
    kept = lr.clone()
    prepare_inference(model)
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
    z = conditioning_for(model, case.batch, case.seed)
    other = conditioning_for(model, case.batch, case.seed + 1)
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


def test_text_conditioned_generators_are_registered() -> None:
    assert TEXT_CASES, "at least one generator takes prompt embeddings and tokens"


def swapped(cond: Conditioning) -> Conditioning:
    """The same prompts given to other samples of the batch (rolled by one)."""
    assert cond.embedding is not None
    assert cond.tokens is not None
    assert cond.token_mask is not None
    return attrs.evolve(
        cond,
        embedding=cond.embedding.roll(1, 0),
        tokens=cond.tokens.roll(1, 0),
        token_mask=cond.token_mask.roll(1, 0),
    )


@pytest.mark.parametrize(("entry", "dims"), TEXT_CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_prompt_steers_the_output(
    entry: Entry[GeneratorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    """Same prompt → same output; swapped prompts → other outputs; padding changes nothing."""
    case = data.draw(generator_cases(entry, dims).filter(lambda c: c.batch == 2))
    model = build(entry, dims, case).eval()
    assert isinstance(model, TextConditioned)
    lr = lr_batch(case)[:1].expand(2, -1, *case.spatial).contiguous()  # one input, two prompts
    cond = prompt_conditioning(model, 2, case.seed)  # sample 1 has fewer tokens than sample 0
    assert cond.tokens is not None
    assert cond.token_mask is not None
    # longer padding with garbage values behind the mask: must not matter
    padded = attrs.evolve(
        cond,
        tokens=torch.cat([cond.tokens, torch.randn(2, 2, model.token_dim)], dim=1),
        token_mask=torch.cat([cond.token_mask, torch.zeros(2, 2, dtype=torch.bool)], dim=1),
    )
    empty = attrs.evolve(cond, token_mask=torch.zeros_like(cond.token_mask))
    with torch.no_grad():
        out, again, other = model(lr, cond), model(lr, cond), model(lr, swapped(cond))
        out_padded, out_empty = model(lr, padded), model(lr, empty)
    assert torch.equal(out, again)
    assert not torch.equal(out[0], out[1]), "two prompts gave the same output for one input"
    torch.testing.assert_close(other, out.flip(0))  # the output follows its prompt
    torch.testing.assert_close(out_padded, out, rtol=1e-5, atol=1e-6)
    assert torch.isfinite(out_empty).all()


@pytest.mark.parametrize(("entry", "dims"), TEXT_CASES)
def test_missing_prompt_is_a_clear_error(entry: Entry[GeneratorFactory], dims: SpatialDims) -> None:
    model = entry.factory(dims, 1, 1, min(entry.capabilities.scales or {2}), small_params(entry))
    with pytest.raises(ValueError, match="embedding"):
        model(torch.rand(1, 1, *(6,) * dims))


@pytest.mark.parametrize(("entry", "dims"), UNCONDITIONED_CASES)
@CONTRACT_SETTINGS
@given(data=st.data())
def test_unconditioned_generators_ignore_prompts(
    entry: Entry[GeneratorFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    """Conditioning a generator does not declare is ignored: with a prompt, the output is the same."""
    case = data.draw(generator_cases(entry, dims))
    model = build(entry, dims, case).eval()
    base = conditioning_for(model, case.batch, case.seed) or Conditioning()
    generator = torch.Generator().manual_seed(case.seed)
    prompted = attrs.evolve(
        base,
        embedding=torch.randn(case.batch, 4, generator=generator),
        tokens=torch.randn(case.batch, 3, 4, generator=generator),
        token_mask=torch.ones(case.batch, 3, dtype=torch.bool),
    )
    with torch.no_grad():
        torch.manual_seed(case.seed)
        plain = model(lr_batch(case), conditioning_for(model, case.batch, case.seed))
        torch.manual_seed(case.seed)
        steered = model(lr_batch(case), prompted)
    assert torch.equal(plain, steered)
