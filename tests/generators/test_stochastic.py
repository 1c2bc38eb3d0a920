from __future__ import annotations

import attrs
import pytest
import torch

from gan_engine.generators.body_blocks import BlockKind
from gan_engine.generators.srresnet import SRResNetParams
from gan_engine.generators.stochastic import StochasticSRResNet, StochasticSRResNetParams
from gan_engine.nn.modulation import FiLM, NoiseInjection
from gan_engine.registry import GENERATORS
from gan_engine.types import Conditioning, SpatialDims

TINY = StochasticSRResNetParams.tiny()


@pytest.mark.parametrize("dims", [2, 3])
def test_outputs_differ_across_z_and_match_for_the_same_z(dims: SpatialDims) -> None:
    torch.manual_seed(0)
    model = StochasticSRResNet(dims, 2, 2, 2, TINY).eval()
    lr = torch.rand(2, 2, *([5] * dims))
    z1, z2 = torch.randn(2, TINY.latent_dim), torch.randn(2, TINY.latent_dim)
    with torch.no_grad():
        a, b, c = (
            model(lr, Conditioning(latent=z1)),
            model(lr, Conditioning(latent=z1.clone())),
            model(lr, Conditioning(latent=z2)),
        )
    assert a.shape == (2, 2, *([10] * dims))
    assert torch.equal(a, b)
    assert (a - c).abs().max() > 1e-6


def test_without_z_predictions_vary_and_seeding_reproduces_them() -> None:
    torch.manual_seed(0)
    model = StochasticSRResNet(2, 1, 1, 4, TINY).eval()
    lr = torch.rand(1, 1, 6, 6)
    with torch.no_grad():
        torch.manual_seed(3)
        first = model(lr)
        second = model(lr)
        torch.manual_seed(3)
        again = model(lr)
        torch.manual_seed(3)
        z = model.sample_latent(1)
        explicit = model(lr, Conditioning(latent=z))
    assert not torch.equal(first, second)
    assert torch.equal(first, again)
    assert torch.equal(first, explicit)  # None means "draw z from the global RNG"


def test_sample_latent_with_its_own_generator() -> None:
    model = StochasticSRResNet(2, 1, 1, 2, TINY)
    z1 = model.sample_latent(3, generator=torch.Generator().manual_seed(5))
    z2 = model.sample_latent(3, generator=torch.Generator().manual_seed(5))
    assert z1.shape == (3, TINY.latent_dim)
    assert torch.equal(z1, z2)


def test_every_block_is_film_modulated_and_noise_is_optional() -> None:
    params = attrs.evolve(TINY, n_blocks=3)
    model = StochasticSRResNet(2, 1, 1, 2, params)
    assert sum(isinstance(m, FiLM) for m in model.modules()) == 3
    assert not any(isinstance(m, NoiseInjection) for m in model.modules())
    noisy = StochasticSRResNet(2, 1, 1, 2, attrs.evolve(params, noise_injection=True))
    assert sum(isinstance(m, NoiseInjection) for m in noisy.modules()) == 3


def test_noise_injection_varies_outputs_for_one_z_once_trained() -> None:
    torch.manual_seed(0)
    model = StochasticSRResNet(2, 1, 1, 2, attrs.evolve(TINY, noise_injection=True)).eval()
    lr, z = torch.rand(1, 1, 6, 6), torch.randn(1, TINY.latent_dim)
    with torch.no_grad():
        assert torch.equal(
            model(lr, Conditioning(latent=z)), model(lr, Conditioning(latent=z))
        )  # strength starts at 0
        for module in model.noises:
            assert isinstance(module, NoiseInjection)
            module.strength.fill_(0.5)
        assert not torch.equal(model(lr, Conditioning(latent=z)), model(lr, Conditioning(latent=z)))


@pytest.mark.parametrize("block", ["res", "rcab", "rrdb", "lka"])
def test_any_body_block(block: BlockKind) -> None:
    params = attrs.evolve(TINY, block=block, growth_channels=4, lka_kernel_size=7)
    model = StochasticSRResNet(2, 2, 2, 3, params)
    assert model(torch.rand(1, 2, 4, 5)).shape == (1, 2, 12, 15)


def test_latent_reaches_the_mapping_network_gradient() -> None:
    torch.manual_seed(0)
    model = StochasticSRResNet(2, 1, 1, 2, TINY)
    z = torch.randn(2, TINY.latent_dim, requires_grad=True)
    model(torch.rand(2, 1, 5, 5), Conditioning(latent=z)).square().mean().backward()
    assert z.grad is not None
    assert z.grad.abs().sum() > 0


def test_rejects_a_latent_of_the_wrong_shape() -> None:
    model = StochasticSRResNet(2, 1, 1, 2, TINY)
    with pytest.raises(
        ValueError, match=r"cond.latent \(the latent z\) of shape \[2, 4\], got \(2, 5\)"
    ):
        model(torch.rand(2, 1, 5, 5), Conditioning(latent=torch.randn(2, 5)))


def test_params_extend_srresnets_and_validate() -> None:
    assert issubclass(StochasticSRResNetParams, SRResNetParams)
    assert StochasticSRResNetParams().latent_dim == 64
    with pytest.raises(ValueError, match="latent_dim: must be >= 1, got 0"):
        StochasticSRResNetParams(latent_dim=0)


def test_registered_with_srresnets_receptive_field() -> None:
    entry = GENERATORS.get("stochastic_srresnet")
    assert entry.factory is StochasticSRResNet
    assert entry.capabilities.scales == frozenset({2, 3, 4, 8})
    assert entry.capabilities.receptive_field == SRResNetParams().receptive_field()


def test_a_bare_latent_tensor_gets_a_clear_error() -> None:
    model = StochasticSRResNet(2, 1, 1, 2, TINY)
    with pytest.raises(TypeError, match=r"cond=Conditioning\(latent=z\)"):
        model(torch.rand(2, 1, 5, 5), torch.randn(2, TINY.latent_dim))  # type: ignore[arg-type]
