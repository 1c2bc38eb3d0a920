"""The default tile with room in the budget: a fixed core plus the model's context, so overlaps cost
a bounded share (tests/inference/test_tile_memory.py: smaller budgets, smaller tiles)."""

from __future__ import annotations

import pytest

from gan_engine.generators.rrdbnet import RRDBNet
from gan_engine.generators.srresnet import SRResNet
from gan_engine.inference.grid import plan_grid
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.inference.tile_memory import DEFAULT_CORE
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from gan_engine.types import SpatialDims

AMPLE = 1 << 40
"""A budget every default tile fits."""


def predictor(generator: SRResNet | RRDBNet, options: PredictOptions | None = None) -> Predictor:
    normaliser = MinMaxNormaliser(1, MinMaxParams(minimum=[0.0], maximum=[1.0]))
    return Predictor(generator, normaliser, options=options or PredictOptions(max_memory=AMPLE))


@pytest.mark.parametrize("dims", [2, 3])
def test_the_default_tile_is_the_core_plus_the_receptive_field_on_each_side(
    dims: SpatialDims,
) -> None:
    model = predictor(SRResNet(dims, 1, 1, 4))
    radius = model.receptive_field
    assert radius == 40
    assert model.tiling.tile == (DEFAULT_CORE[dims] + 2 * radius,) * dims
    assert model.tiling.overlap == radius
    assert model.tile_choice is not None
    assert model.tile_choice.capped


def test_a_2k_raster_is_two_by_two_tiles_recomputing_under_a_tenth() -> None:
    # the benchmark's raster (BENCHMARKS.md): 2048² LR with SRResNet's 40 px of context
    model = predictor(SRResNet(2, 1, 1, 4))
    grid = plan_grid((2048, 2048), model.tiling.tile, model.tiling.overlap)
    assert len(grid) == 4
    computed = len(grid) * grid.tile_shape[0] * grid.tile_shape[1]
    assert computed / 2048**2 - 1 < 0.1


def test_a_deep_receptive_field_still_gets_a_core() -> None:
    # ESRGAN's 23 RRDBs see ~350 LR px: a fixed 512-px tile had no room left for a core
    model = predictor(RRDBNet(2, 1, 1, 4))
    assert model.receptive_field is not None
    assert model.receptive_field > 256
    grid = plan_grid((2400, 2400), model.tiling.tile, model.tiling.overlap)
    assert len(grid) == 4


def test_an_explicit_tile_is_kept() -> None:
    model = predictor(SRResNet(2, 1, 1, 4), PredictOptions(tile=300, max_memory=1))
    assert model.tiling.tile == (300, 300)
