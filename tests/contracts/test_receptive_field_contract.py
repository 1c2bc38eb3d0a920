"""Every registered generator's declared receptive field is the one measured on the network.

The tiling overlap comes from the declared radius (``params.receptive_field(scale)`` or the
registry's capability, read by :func:`~gan_engine.inference.receptive.generator_receptive_field`):
too small a claim makes tiles differ from the untiled result, too large wastes work. Here the radius
is measured from the gradients of the tiny float64 model (:func:`tests.receptive_support.
measured_radius`), in every declared dim, at the smallest declared scale. Generators declaring an
unbounded field (``None``) are listed by ``test_unbounded_generators_are_few``.
"""

from __future__ import annotations

import pytest
import torch
from torch import Tensor, nn

from gan_engine.inference.receptive import generator_receptive_field, input_multiple
from gan_engine.protocols import Generator
from gan_engine.registry import GENERATORS, Entry, GeneratorFactory
from gan_engine.types import Conditioning, SpatialDims
from tests.contracts.strategies import cases, conditioning_for, small_params
from tests.receptive_support import measured_radius

ENTRIES = GENERATORS.entries()


def _model(entry: Entry[GeneratorFactory], dims: SpatialDims) -> nn.Module:
    torch.manual_seed(0)
    scale = min(entry.capabilities.scales or {2})
    model = entry.factory(dims, 1, 1, scale, small_params(entry))
    assert isinstance(model, nn.Module)
    return model.double().eval()


def _declared(entry: Entry[GeneratorFactory], dims: SpatialDims) -> int | None:
    model = _model(entry, dims)
    assert isinstance(model, Generator)
    return generator_receptive_field(model)


BOUNDED = cases(e for e in ENTRIES if _declared(e, min(e.capabilities.spatial_dims)) is not None)


def test_unbounded_generators_are_few() -> None:
    unbounded = {e.name for e in ENTRIES if _declared(e, min(e.capabilities.spatial_dims)) is None}
    assert len(unbounded) < len(ENTRIES), unbounded


@pytest.mark.parametrize(("entry", "dims"), BOUNDED)
def test_declared_receptive_field_is_the_measured_one(
    entry: Entry[GeneratorFactory], dims: SpatialDims
) -> None:
    model = _model(entry, dims)
    assert isinstance(model, Generator)
    declared = generator_receptive_field(model)
    assert declared is not None
    multiple = input_multiple(model)
    # room for the whole field on both sides of the centre, on the model's grid; in 3D along the
    # depth axis only (the other two are short, which keeps 3D RRDBNet fast): every axis is
    # measured in 2D, and 3D layers treat depth as they treat height and width
    size = -(-(2 * declared + 2 * multiple + 1) // multiple) * multiple
    spatial = (size,) * dims if dims == 2 else (size, 2 * multiple, 2 * multiple)
    shape = (1, 1, *spatial)
    cond = conditioning_for(model, 1, 0)
    if "mask" in entry.capabilities.conditioning:  # all missing: every output is predicted
        holes = torch.ones(1, 1, *spatial, dtype=torch.float64)
        cond = Conditioning(holes=holes) if cond is None else cond
    if cond is not None and cond.latent is not None:
        cond = Conditioning(latent=cond.latent.double())

    def forward(x: Tensor) -> Tensor:
        output: Tensor = model(x, cond)
        return output

    centre = tuple((length // 2) // multiple * multiple for length in spatial)
    measured = measured_radius(forward, shape, model.scale, centre=centre, period=multiple)
    assert measured == declared
