"""Every registered generator without its own mask input reads holes through MaskInput, 2D and 3D."""

from __future__ import annotations

import attrs
import pytest
import torch
from torch import nn

from gan_engine.generators.mask_input import MaskInput, MaskInputOptions, with_mask_input
from gan_engine.nn.fill import harmonic_fill
from gan_engine.protocols import Generator
from gan_engine.registry import GENERATORS
from gan_engine.types import Conditioning
from tests.contracts.strategies import conditioning_for, small_params

UNMASKED = [
    pytest.param(entry, dims, id=f"{entry.name}-{dims}d")
    for entry in GENERATORS.entries()
    if "mask" not in entry.capabilities.conditioning
    for dims in sorted(entry.capabilities.spatial_dims)
]


def case(dims: int) -> tuple[torch.Tensor, torch.Tensor]:
    shape = (2, 3, *([8] * dims))
    generator = torch.Generator().manual_seed(dims)
    lr = torch.rand(shape, generator=generator)
    holes = torch.zeros(2, 1, *shape[2:])
    holes[(..., *([slice(2, 5)] * dims))] = 1.0
    return lr, holes


@pytest.mark.parametrize(("entry", "dims"), UNMASKED)
def test_wrapped_generator_fills_and_upscales(entry, dims) -> None:  # type: ignore[no-untyped-def]
    scale = min(entry.capabilities.scales or {2})
    torch.manual_seed(0)
    model = with_mask_input(entry, dims, 3, 3, scale, small_params(entry))
    assert isinstance(model, MaskInput)
    assert isinstance(model, Generator)
    assert isinstance(model, nn.Module)
    assert (model.scale, model.in_channels, model.out_channels) == (scale, 3, 3)
    lr, holes = case(dims)
    base = conditioning_for(model.inner, 2, 0)  # a latent and/or prompt, as the inner one needs
    cond = Conditioning(holes=holes) if base is None else attrs.evolve(base, holes=holes)
    model.eval()
    with torch.no_grad():
        out = model(lr, cond)
        # zero-initialised fusion: at first the inner generator on the harmonic pre-fill
        reference = model.inner(harmonic_fill(lr, holes), cond)
        altered = lr.clone()
        altered[holes.expand_as(lr) > 0.5] = 50.0
        unseen = model(altered, cond)
    assert out.shape == (2, 3, *([8 * scale] * dims))
    torch.testing.assert_close(out, reference)
    torch.testing.assert_close(unseen, out)  # what lies under the holes is never read
    model.train()
    model(lr, cond).square().mean().backward()
    assert model.fuse.weight.grad is not None
    assert model.fuse.weight.grad.abs().sum() > 0


def test_generators_with_their_own_mask_input_are_built_as_is() -> None:
    entry = GENERATORS.get("inpainting_unet")
    model = with_mask_input(entry, 2, 3, 3, 1, small_params(entry))
    assert not isinstance(model, MaskInput)


def test_zero_prefill_and_per_band_masks() -> None:
    entry = GENERATORS.get("srresnet")
    options = MaskInputOptions(mask_channels=3, prefill="zero")
    model = with_mask_input(entry, 2, 3, 3, 2, small_params(entry), options)
    assert isinstance(model, MaskInput)
    lr = torch.rand(1, 3, 8, 8)
    holes = torch.zeros(1, 3, 8, 8)
    holes[:, 1, 2:4, 2:4] = 1.0
    with torch.no_grad():
        out = model(lr, Conditioning(holes=holes))
        torch.testing.assert_close(out, model.inner(lr * (1 - holes)))


def test_bad_inputs_are_refused() -> None:
    entry = GENERATORS.get("srresnet")
    model = with_mask_input(entry, 2, 3, 3, 2, small_params(entry))
    with pytest.raises(ValueError, match="needs the hole mask"):
        model(torch.rand(1, 3, 8, 8))
    with pytest.raises(ValueError, match=r"\[B, 1 or C, \*S\]"):
        model(torch.rand(1, 3, 8, 8), Conditioning(holes=torch.zeros(1, 1, 4, 4)))
    with pytest.raises(ValueError, match="mask_channels"):
        with_mask_input(entry, 2, 3, 3, 2, small_params(entry), MaskInputOptions(mask_channels=2))
