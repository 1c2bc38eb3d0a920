from __future__ import annotations

import pytest
import torch

from gan_engine.nn.modulation import FiLM, NoiseInjection
from gan_engine.types import SpatialDims


@pytest.mark.parametrize("dims", [2, 3])
def test_film_scales_and_shifts_each_channel(dims: SpatialDims) -> None:
    torch.manual_seed(0)
    film = FiLM(5, 3)
    x = torch.rand(2, 3, *([4] * dims))
    style = torch.randn(2, 5)
    gamma, beta = film.projection(style).chunk(2, dim=1)
    shape = (2, 3) + (1,) * dims
    torch.testing.assert_close(film(x, style), x * (1 + gamma.view(shape)) + beta.view(shape))


def test_film_with_zero_projection_is_the_identity() -> None:
    film = FiLM(4, 2)
    torch.nn.init.zeros_(film.projection.weight)
    torch.nn.init.zeros_(film.projection.bias)
    x = torch.rand(1, 2, 3, 3)
    assert torch.equal(film(x, torch.randn(1, 4)), x)


def test_film_rejects_a_style_of_another_batch() -> None:
    with pytest.raises(ValueError, match=r"expected style of shape \[2, F\], got \(3, 4\)"):
        FiLM(4, 2)(torch.rand(2, 2, 3, 3), torch.rand(3, 4))


def test_noise_starts_off_and_is_drawn_from_the_global_rng() -> None:
    noise = NoiseInjection(3)
    x = torch.rand(2, 3, 4, 5)
    assert torch.equal(noise(x), x)
    with torch.no_grad():
        noise.strength.fill_(1.0)
    torch.manual_seed(1)
    first = noise(x)
    torch.manual_seed(1)
    second = noise(x)
    assert torch.equal(first, second)
    assert not torch.equal(first, noise(x))
    added = first - x
    torch.testing.assert_close(added[:, 0], added[:, 2])  # one map per sample, all channels


def test_noise_strength_gets_a_gradient() -> None:
    noise = NoiseInjection(2)
    noise(torch.rand(1, 2, 4, 4)).sum().backward()
    assert noise.strength.grad is not None
    assert noise.strength.grad.abs().sum() > 0
