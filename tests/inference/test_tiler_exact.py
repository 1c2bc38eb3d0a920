"""The exactness property of tiling, and its conditions.

With centre stitching, a tiled pass equals the untiled forward pass (to float tolerance) whenever the
overlap is at least the model's receptive-field radius ``r``: every kept output pixel then saw exactly
the input (and the same zero padding at true image edges) the untiled pass gives it. Blending is exact
under the same condition only when its ramps keep ``guard >= r`` pixels from inner tile edges, since
``Σ w_t y_t / Σ w_t`` equals the untiled value exactly when every tile with ``w_t > 0`` is exact there.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import Tensor, nn

from gan_engine.inference.tiler import TilingConfig, tiled_forward
from tests.inference.models import ConvStack, tiny_srresnet

TOLERANCE = {"atol": 1e-4, "rtol": 1e-4}


@st.composite
def cases(draw: st.DrawFn) -> tuple[nn.Module, Tensor, int, int]:
    """A model (registered tiny srresnet or conv stack), an input, and its scale and radius."""
    dims = draw(st.sampled_from([2, 3]))
    scale = draw(st.sampled_from([2, 3, 4] if dims == 2 else [2, 3]))
    channels = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    model: nn.Module
    if draw(st.booleans()):
        model = tiny_srresnet(dims, channels, scale, seed)
        radius = model.params.receptive_field(scale)
    else:
        torch.manual_seed(seed)
        model = ConvStack(dims, channels, scale, depth=draw(st.integers(1, 4))).eval()
        radius = model.radius
    sizes = st.integers(8, 40) if dims == 2 else st.integers(6, 16)
    shape = tuple(draw(sizes) for _ in range(dims))
    x = torch.randn((channels, *shape), generator=torch.Generator().manual_seed(seed))
    return model, x, scale, radius


def _untiled(model: nn.Module, x: Tensor) -> Tensor:
    with torch.no_grad():
        result: Tensor = model(x[None])[0]
    return result


def _model_fn(model: nn.Module):
    def run(batch: Tensor) -> Tensor:
        with torch.no_grad():
            result: Tensor = model(batch)
        return result

    return run


@given(cases(), st.integers(0, 3), st.integers(1, 12), st.integers(1, 5))
def test_centre_stitching_equals_the_untiled_pass(
    case: tuple[nn.Module, Tensor, int, int], extra_overlap: int, core: int, batch: int
) -> None:
    model, x, scale, radius = case
    overlap = radius + extra_overlap
    config = TilingConfig(
        tile=(2 * overlap + core,) * (x.ndim - 1), overlap=overlap, batch_size=batch
    )
    tiled = tiled_forward(_model_fn(model), x, scale, config)
    torch.testing.assert_close(tiled, _untiled(model, x), **TOLERANCE)


@given(cases(), st.integers(1, 4), st.integers(1, 12))
def test_blending_with_a_guard_of_the_radius_equals_the_untiled_pass(
    case: tuple[nn.Module, Tensor, int, int], ramp: int, core: int
) -> None:
    model, x, scale, radius = case
    overlap = radius + ramp
    config = TilingConfig(
        tile=(2 * overlap + core,) * (x.ndim - 1),
        overlap=overlap,
        mode="blend",
        guard=radius,
        batch_size=3,
    )
    tiled = tiled_forward(_model_fn(model), x, scale, config)
    torch.testing.assert_close(tiled, _untiled(model, x), **TOLERANCE)


@pytest.mark.parametrize("mode", ["centre", "blend"])
def test_an_overlap_below_the_radius_is_not_exact(mode: str) -> None:
    """The condition matters: the property fails once tiles see less than the receptive field."""
    model = tiny_srresnet(2, 2, 2, seed=1)
    radius = model.params.receptive_field(2)
    x = torch.randn(2, 40, 40, generator=torch.Generator().manual_seed(0))
    config = TilingConfig(tile=(16, 16), overlap=radius - 3, mode=mode)  # type: ignore[arg-type]
    error = (tiled_forward(_model_fn(model), x, 2, config) - _untiled(model, x)).abs().max()
    assert error > 1e-3


def test_blending_without_a_guard_is_close_but_not_exact() -> None:
    model = tiny_srresnet(2, 2, 2, seed=2)
    radius = model.params.receptive_field(2)
    x = torch.randn(2, 48, 48, generator=torch.Generator().manual_seed(0))
    config = TilingConfig(tile=(2 * radius + 12,) * 2, overlap=radius, mode="blend", guard=0)
    untiled = _untiled(model, x)
    error = (tiled_forward(_model_fn(model), x, 2, config) - untiled).abs()
    assert error.max() > 1e-4  # pixels near inner tile edges get some weight
    assert error.max() < 0.1 * untiled.abs().max()
