"""The generator options added for opensr-srgan layouts: honest receptive fields and exact math."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor

from gan_engine.generators.rrdbnet import RRDBNet, RRDBNetParams
from gan_engine.generators.srresnet import SRResNet, SRResNetParams
from gan_engine.generators.stochastic import StochasticSRResNet, StochasticSRResNetParams
from gan_engine.nn.attention import LargeKernelAttention
from gan_engine.nn.dense import RRDB
from gan_engine.types import BuildContext, Conditioning
from tests.receptive_support import measured_radius


def test_lka_block_with_3x3_convs_has_the_receptive_field_its_params_claim() -> None:
    torch.manual_seed(0)
    params = SRResNetParams(
        n_channels=4,
        n_blocks=1,
        block="lka",
        head_kernel_size=3,
        lka_conv_kernel_size=3,
        lka_gate="sigmoid",
        lka_kernel_size=9,
        lka_dilation=2,
    )
    model = SRResNet(2, 1, 1, 2, params).double()
    claimed = params.receptive_field(2)
    assert claimed is not None
    assert measured_radius(model, (1, 1, 41, 41), scale=2) == claimed


def test_subpixel_rrdbnet_has_the_receptive_field_its_params_claim() -> None:
    torch.manual_seed(0)
    params = RRDBNetParams(num_feat=4, num_block=1, num_grow_ch=2, upsampler="subpixel")
    model = RRDBNet(2, 1, 1, 2, params).double()
    assert measured_radius(model, (1, 1, 41, 41), scale=2) == params.receptive_field(2)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_subpixel_rrdbnet_runs_the_same_with_and_without_autograd(scale: int) -> None:
    torch.manual_seed(scale)
    params = RRDBNetParams(num_feat=4, num_block=1, num_grow_ch=2, upsampler="subpixel")
    model = RRDBNet(2, 3, 3, scale, params).eval()
    x = torch.rand(1, 3, 7, 6)
    with torch.no_grad():
        eager = model(x)
    graph = model(x)
    assert eager.shape == (1, 3, 7 * scale, 6 * scale)
    torch.testing.assert_close(eager, graph.detach(), rtol=1e-5, atol=1e-6)


def test_rrdb_without_dense_skips_is_the_outer_skip_over_bare_dense_branches() -> None:
    torch.manual_seed(0)
    block = RRDB(2, 4, growth_channels=2, residual_scale=0.2, dense_skip=False)
    x = torch.rand(1, 4, 5, 5)

    def bare(rdb: torch.nn.Module, h: Tensor) -> Tensor:
        features = [h]
        for layer in (rdb.conv1, rdb.conv2, rdb.conv3, rdb.conv4):
            features.append(rdb.lrelu(layer(torch.cat(features, dim=1))))
        out: Tensor = rdb.conv5(torch.cat(features, dim=1))
        return out

    expected = x + 0.2 * bare(block.rdb3, bare(block.rdb2, bare(block.rdb1, x)))
    torch.testing.assert_close(block(x), expected)


def test_sigmoid_gate_multiplies_by_the_sigmoid_of_the_attention_map() -> None:
    torch.manual_seed(0)
    linear = LargeKernelAttention(2, 3, kernel_size=9, dilation=2)
    gated = LargeKernelAttention(2, 3, kernel_size=9, dilation=2, gate="sigmoid")
    gated.load_state_dict(linear.state_dict())
    x = torch.rand(1, 3, 8, 8) + 0.1
    torch.testing.assert_close(gated(x), x * torch.sigmoid(linear(x) / x))


def test_tanh_output_bounds_the_output_and_equals_tanh_of_the_plain_network() -> None:
    torch.manual_seed(0)
    plain = SRResNet(2, 2, 2, 2, SRResNetParams(n_channels=4, n_blocks=1, global_skip=False))
    tanh = SRResNet(
        2,
        2,
        2,
        2,
        SRResNetParams(n_channels=4, n_blocks=1, global_skip=False, output_activation="tanh"),
    )
    tanh.load_state_dict(plain.state_dict())
    x = 10 * torch.rand(2, 2, 6, 6)
    with torch.no_grad():
        torch.testing.assert_close(tanh(x), torch.tanh(plain(x)))
    assert tanh(x).abs().max() <= 1


def test_block_modulation_depends_on_the_latent_and_needs_res_blocks() -> None:
    torch.manual_seed(0)
    params = StochasticSRResNetParams(
        n_channels=4, n_blocks=2, latent_dim=3, mapping_channels=5, modulation="block"
    )
    model = StochasticSRResNet(2, 2, 2, 2, params).eval()
    x = torch.rand(2, 2, 6, 6)
    z = torch.randn(2, 3)
    with torch.no_grad():
        first = model(x, Conditioning(latent=z))
        again = model(x, Conditioning(latent=z))
        other = model(x, Conditioning(latent=z + 1))
    torch.testing.assert_close(first, again)
    assert not torch.allclose(first, other)
    bad = StochasticSRResNetParams(block="rcab", norm="batch", modulation="block")
    keys = [error.key for error in bad.check(BuildContext(2, 2, 2))]
    assert keys == ["block", "norm"]
