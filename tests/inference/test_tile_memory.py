"""The default tile from a memory budget: measured per model on the meta device, exact when it fits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import pytest
import torch
from torch import nn

from gan_engine.generators.rrdbnet import RRDBNet, RRDBNetParams
from gan_engine.generators.srresnet import SRResNet, SRResNetParams
from gan_engine.inference.budget import MemoryBudget
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.inference.tile_memory import (
    DEFAULT_CORE,
    MIN_TILE,
    LiveStorageBytes,
    TileChoice,
    choose_tile,
    forward_peak_bytes,
    weight_bytes,
)
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from gan_engine.registry import GENERATORS
from gan_engine.types import SpatialDims
from tests.contracts.strategies import small_params

MIB = 1 << 20
SMALL = SRResNetParams(n_channels=8, n_blocks=2)


def test_live_bytes_follow_storages_until_their_last_tensor_dies() -> None:
    counter = LiveStorageBytes()
    with counter:
        a = torch.ones(1000)  # 4000 bytes
        b = a * 2  # 8000 live
        view = b[:10]
        del b  # the view keeps b's storage
        a.add_(1)  # in place: nothing new
        c = a + 1  # 12000 live: the peak
        del a, c, view
        d = torch.ones(500)  # 2000 live
    assert counter.peak == 12000
    assert counter.current == 2000
    del d


def test_the_meta_probe_measures_what_a_real_run_keeps() -> None:
    model = RRDBNet(2, 3, 3, 4, RRDBNetParams.tiny()).eval()
    shape = (1, 3, 24, 20)
    real = LiveStorageBytes()
    with torch.inference_mode(), real:
        lr = torch.rand(shape)
        output = model(lr)
        del lr, output
    assert forward_peak_bytes(model, shape) == real.peak > 0
    assert all(parameter.device.type == "cpu" for parameter in model.parameters())


def _callable_without_conditioning(model: nn.Module, shape: Sequence[int]) -> bool:
    try:
        with torch.inference_mode():
            model(torch.rand(tuple(shape)))
    except (TypeError, ValueError, AttributeError):
        return False
    return True


@pytest.mark.parametrize("entry", GENERATORS.entries(), ids=lambda entry: entry.name)
def test_every_registered_generator_can_be_measured(entry: Any) -> None:
    for dims in sorted(entry.capabilities.spatial_dims):
        scale = min(entry.capabilities.scales or {2})
        model = entry.factory(dims, 2, 2, scale, small_params(entry)).eval()
        shape = (1, 2, *(16,) * dims)
        if not _callable_without_conditioning(model, shape):
            continue  # needs an embedding or a mask: measured through its inference wrapper
        small, large = (
            forward_peak_bytes(model, shape),
            forward_peak_bytes(model, (1, 2, *(32,) * dims)),
        )
        assert 0 < small < large


def _quadratic(per_pixel: int) -> Any:
    def measure(_model: nn.Module, shape: Sequence[int]) -> int:
        pixels = 1
        for size in shape[2:]:
            pixels *= size
        return per_pixel * pixels * shape[0]

    return measure


def _choose(budget: int, dims: int = 2, overlap: int = 10, **kwargs: Any) -> TileChoice:
    return choose_tile(
        nn.Conv2d(1, 1, 1, bias=False),  # 4 bytes of weights
        in_channels=1,
        spatial_dims=dims,
        overlap=overlap,
        budget=MemoryBudget(budget, "test"),
        overhead=1.0,
        measure=kwargs.pop("measure", _quadratic(100)),
        **kwargs,
    )


def test_a_large_budget_keeps_the_largest_default_tile() -> None:
    choice = _choose(1 << 40)
    assert choice.tile == DEFAULT_CORE[2] + 2 * 10 + 12  # rounded up to a multiple of 16
    assert choice.capped
    assert choice.exact
    assert choice.fits
    assert "the largest default tile" in choice.reason


@pytest.mark.parametrize("dims", [2, 3])
def test_the_tile_shrinks_with_the_budget_and_its_peak_fits(dims: int) -> None:
    tiles = []
    for budget in (400 * MIB, 100 * MIB, 20 * MIB, 5 * MIB):
        choice = _choose(budget, dims=dims, overlap=4)
        assert choice.fits
        assert choice.peak is not None
        assert choice.peak + choice.weights <= budget
        # the next step up would not have fitted, within the search's eighth
        assert 100 * (choice.tile * 9 // 8 + 16) ** dims > budget - choice.weights or choice.capped
        tiles.append(choice.tile)
    assert tiles == sorted(tiles, reverse=True)
    assert len(set(tiles)) > 2


def test_overlap_is_reduced_and_said_so_when_no_exact_tile_fits() -> None:
    exact = _choose(10 * MIB, overlap=200)  # smallest exact tile 432² needs 18.7 MB
    assert exact.fits
    assert not exact.exact
    assert exact.overlap == exact.tile // 4 < 200
    assert "reduced: blended, not exact" in exact.reason
    strict = _choose(10 * MIB, overlap=200, reduce_overlap=False)
    assert strict.exact
    assert not strict.fits
    assert "the smallest tile, over the budget" in strict.reason


def test_a_budget_below_the_smallest_tile_is_reported() -> None:
    exact = _choose(50_000, overlap=4)  # the smallest exact tile, 32², needs 102,400 bytes
    assert exact.tile == 32
    assert not exact.fits
    reduced = _choose(300_000, overlap=200)  # the smallest tile, 64², needs 409,600 bytes
    assert reduced.tile == MIN_TILE[2]
    assert reduced.overlap == 16
    assert not reduced.fits


def test_a_model_that_cannot_run_on_meta_keeps_the_fixed_default() -> None:
    def fails(_model: nn.Module, _shape: Sequence[int]) -> int:
        raise NotImplementedError("aten::nonzero on meta")

    choice = _choose(MIB, measure=fails)
    assert choice.peak is None
    assert "memory not measured (NotImplementedError: aten::nonzero on meta)" in choice.reason


def _predictor(model: nn.Module, **options: Any) -> Predictor:
    channels = int(getattr(model, "in_channels", 1))
    normaliser = MinMaxNormaliser(channels, MinMaxParams(minimum=[0.0], maximum=[1.0]))
    return Predictor(model, normaliser, options=PredictOptions(**options))  # type: ignore[arg-type]


@pytest.mark.parametrize("dims", [2, 3])
def test_predictor_tiles_shrink_with_max_memory_and_fit_it(dims: SpatialDims) -> None:
    torch.manual_seed(0)
    model = SRResNet(dims, 1, 1, 2, SMALL).eval()
    radius = SMALL.receptive_field(2)
    tiles = []
    budgets = (64 * MIB, 16 * MIB, 4 * MIB) if dims == 2 else (256 * MIB, 128 * MIB, 48 * MIB)
    for budget in budgets:
        predictor = _predictor(model, max_memory=budget)
        choice = predictor.tile_choice
        assert choice is not None
        assert choice.fits
        assert predictor.tiling.tile == (choice.tile,) * dims
        measured = forward_peak_bytes(predictor.model, (1, 1, *(choice.tile,) * dims))
        assert choice.overhead * measured + weight_bytes(predictor.model) <= budget
        assert predictor.tiling.overlap == radius
        assert predictor.tiling.mode == "centre"
        tiles.append(choice.tile)
    assert tiles[0] > tiles[1] > tiles[2]


@pytest.mark.parametrize(("dims", "size"), [(2, 150), (3, 36)])
def test_budget_tiles_stay_exact(dims: SpatialDims, size: int) -> None:
    torch.manual_seed(0)
    model = SRResNet(dims, 1, 1, 2, SMALL).eval()
    budget = 2 * MIB if dims == 2 else 48 * MIB
    predictor = _predictor(model, max_memory=budget)
    assert predictor.tile_choice is not None
    assert predictor.tile_choice.exact
    assert predictor.tiling.tile[0] < size  # several tiles
    lr = torch.rand(1, *(size,) * dims)
    with torch.no_grad():
        whole = predictor.model(lr[None])[0]  # normaliser, generator, denormaliser, untiled
    # centre stitching with the full receptive field: equal up to float32 summation order
    torch.testing.assert_close(predictor.predict(lr), whole, rtol=1e-5, atol=1e-5)


def test_an_explicit_tile_skips_the_budget() -> None:
    predictor = _predictor(SRResNet(2, 1, 1, 2, SMALL), tile=64, max_memory=1)
    assert predictor.tile_choice is None
    assert predictor.tiling.tile == (64, 64)


def test_rrdbnet_default_tile_follows_the_budget() -> None:
    # ESRGAN's 23 RRDBs at a 4 GiB budget: the exact 349-px overlap kept, a smaller core
    model = RRDBNet(2, 3, 3, 4).eval()
    choice = _predictor(model, max_memory=4 << 30).tile_choice
    assert choice is not None
    assert choice.exact
    assert choice.fits
    assert 2 * 349 < choice.tile < DEFAULT_CORE[2] + 2 * 349
    assert choice.peak is not None
    assert choice.overhead * choice.peak + choice.weights <= 4 << 30


def test_reduced_overlap_under_auto_mode_blends() -> None:
    model = SRResNet(3, 1, 1, 2, attrs.evolve(SMALL, n_blocks=8)).eval()
    predictor = _predictor(model, max_memory=2 * MIB)
    choice = predictor.tile_choice
    assert choice is not None
    assert not choice.exact
    assert predictor.tiling.overlap == choice.overlap < predictor.receptive_field  # type: ignore[operator]
    assert predictor.tiling.mode == "blend"
