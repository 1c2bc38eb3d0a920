from __future__ import annotations

from typing import Any, get_args

import attrs
import pytest
import torch
from torch import nn

from gan_engine.errors import InvalidParamError
from gan_engine.generators.body_blocks import BODY_BLOCKS, BlockKind
from gan_engine.generators.srresnet import (
    SCALES,
    SRResNet,
    SRResNetParams,
    upsampling_factors,
)
from gan_engine.nn.interpolate import upsample
from gan_engine.nn.pixel_shuffle import SubpixelUpsample
from gan_engine.nn.reconstruction import reconstruct
from gan_engine.registry import GENERATORS
from gan_engine.types import Conditioning, SpatialDims

TINY = SRResNetParams.tiny()


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_output_shape_for_every_scale_in_2d(scale: int) -> None:
    model = SRResNet(2, 3, 3, scale, TINY)
    assert model(torch.rand(2, 3, 5, 7)).shape == (2, 3, 5 * scale, 7 * scale)


@pytest.mark.parametrize("scale", [2, 3])
def test_output_shape_in_3d(scale: int) -> None:
    model = SRResNet(3, 2, 2, scale, TINY)
    assert model(torch.rand(1, 2, 3, 4, 5)).shape == (1, 2, 3 * scale, 4 * scale, 5 * scale)


@pytest.mark.parametrize(("scale", "stages"), [(2, [2]), (3, [3]), (4, [2, 2]), (8, [2, 2, 2])])
def test_upsampling_is_x2_stages_or_one_x3_stage(scale: int, stages: list[int]) -> None:
    assert upsampling_factors(scale) == stages
    model = SRResNet(2, 1, 1, scale, TINY)
    assert [m.scale for m in model.modules() if isinstance(m, SubpixelUpsample)] == stages


@pytest.mark.parametrize(
    ("spatial_dims", "scale", "activation", "out_channels"),
    [(2, 4, "prelu", 4), (2, 3, "gelu", 1), (2, 2, "leaky_relu", 3), (3, 2, "relu", 1)],
)
def test_large_tail_runs_before_the_last_shuffle_with_the_same_result(
    spatial_dims: SpatialDims, scale: int, activation: Any, out_channels: int
) -> None:
    params = SRResNetParams(n_channels=4, n_blocks=1, activation=activation, global_skip=False)
    model = SRResNet(spatial_dims, 2, out_channels, scale, params).double()
    features = torch.randn(2, 4, *[5] * spatial_dims, dtype=torch.float64)
    # the 9x9 tail to few bands is the case the coarse form pays for
    assert model.params.head_kernel_size == 9
    direct = model.tail(model.upsampler(features))
    torch.testing.assert_close(
        reconstruct([*model.upsampler, model.tail], features, inference=False), direct
    )


def test_reconstruct_falls_back_to_the_layers_when_the_activation_is_per_channel() -> None:
    model = SRResNet(2, 1, 1, 2, SRResNetParams(n_channels=4, n_blocks=1)).double()
    model.upsampler[1] = nn.PReLU(4).double()  # per-channel slopes do not commute with a shuffle
    with torch.no_grad():
        model.upsampler[1].weight.copy_(torch.tensor([0.1, 0.2, 0.3, 0.4]))
    features = torch.randn(1, 4, 5, 5, dtype=torch.float64)
    direct = model.tail(model.upsampler(features))
    torch.testing.assert_close(
        reconstruct([*model.upsampler, model.tail], features, inference=False), direct
    )


def test_reconstruct_falls_back_to_the_layers_for_a_tail_without_same_padding() -> None:
    model = SRResNet(2, 1, 1, 2, SRResNetParams(n_channels=4, n_blocks=1)).double()
    model.tail = nn.Conv2d(4, 1, 9, padding=1).double()  # shrinks the output: not the coarse form
    features = torch.randn(1, 4, 6, 6, dtype=torch.float64)
    direct = model.tail(model.upsampler(features))
    assert direct.shape == (1, 1, 6, 6)
    torch.testing.assert_close(
        reconstruct([*model.upsampler, model.tail], features, inference=False), direct
    )


def test_stores_its_arguments() -> None:
    model = SRResNet(3, 4, 4, 2, TINY)
    assert (model.spatial_dims, model.in_channels, model.out_channels, model.scale) == (3, 4, 4, 2)
    assert model.params is TINY


@pytest.mark.parametrize(
    ("dims", "params", "size"), [(2, SRResNetParams(), 12), (3, TINY, 6), (2, TINY, 9)]
)
def test_untrained_output_is_close_to_the_interpolated_input(
    dims: SpatialDims, params: SRResNetParams, size: int
) -> None:
    torch.manual_seed(0)
    model = SRResNet(dims, 3, 3, 4, params)
    lr = torch.rand(2, 3, *([size] * dims))
    with torch.no_grad():
        sr = model(lr)
    baseline = upsample(lr, 4)
    residual = sr - baseline
    assert residual.norm() < 0.05 * baseline.norm()
    assert residual.abs().max() > 0  # small, not zero: the network is not a constant


def test_every_parameter_gets_a_non_zero_gradient_at_init() -> None:
    torch.manual_seed(0)
    model = SRResNet(2, 3, 3, 2, TINY)
    hr = torch.rand(2, 3, 16, 16)
    torch.autograd.backward(nn.functional.l1_loss(model(torch.rand(2, 3, 8, 8)), hr))
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None, name
        assert parameter.grad.abs().sum() > 0, name


def test_without_global_skip_channels_may_differ_and_the_tail_is_not_shrunk() -> None:
    params = attrs.evolve(TINY, global_skip=False)
    torch.manual_seed(0)
    model = SRResNet(2, 4, 3, 2, params)
    assert model(torch.rand(1, 4, 6, 6)).shape == (1, 3, 12, 12)
    torch.manual_seed(0)
    skip = SRResNet(2, 4, 4, 2, TINY)
    ratio = skip.tail.weight.abs().mean() / model.tail.weight.abs().mean()
    assert 0.05 < ratio < 0.2


def test_global_skip_needs_equal_channels() -> None:
    with pytest.raises(InvalidParamError) as caught:
        SRResNet(2, 4, 3, 2, TINY)
    assert caught.value.key == "global_skip"
    assert "in_channels=4 and out_channels=3" in caught.value.message
    assert "set global_skip to false" in caught.value.message


def test_cond_is_ignored() -> None:
    model = SRResNet(2, 2, 2, 2, TINY).eval()
    lr = torch.rand(1, 2, 6, 6)
    assert torch.equal(model(lr, cond=Conditioning(latent=torch.rand(1, 8))), model(lr))


def test_batch_norm_body() -> None:
    model = SRResNet(2, 1, 1, 2, attrs.evolve(TINY, norm="batch", n_blocks=2))
    assert sum(isinstance(m, nn.BatchNorm2d) for m in model.modules()) == 2 * 2 + 1
    assert model(torch.rand(2, 1, 4, 4)).shape == (2, 1, 8, 8)


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"n_channels": 0}, "n_channels", "must be >= 1, got 0"),
        ({"n_blocks": 0}, "n_blocks", "must be >= 1, got 0"),
        ({"kernel_size": 4}, "kernel_size", "must be odd, got 4"),
        ({"head_kernel_size": 8}, "head_kernel_size", "must be odd, got 8"),
        ({"block": "rdn"}, "block", "expected one of 'res', 'rcab', 'rrdb', 'lka', got 'rdn'"),
        ({"reduction": 0}, "reduction", "must be >= 1, got 0"),
        ({"growth_channels": 0}, "growth_channels", "must be >= 1, got 0"),
        ({"lka_kernel_size": 8}, "lka_kernel_size", "must be odd, got 8"),
        ({"lka_kernel_size": 1}, "lka_kernel_size", "must be >= 3, got 1"),
        ({"lka_dilation": 0}, "lka_dilation", "must be >= 1, got 0"),
        ({"norm": "instance"}, "norm", "expected one of 'none', 'batch', got 'instance'"),
        ({"activation": "swish"}, "activation", "got 'swish'"),
        ({"residual_scale": 0.0}, "residual_scale", "must be in (0.0, 1.0], got 0.0"),
        ({"residual_scale": 1.5}, "residual_scale", "must be in (0.0, 1.0], got 1.5"),
    ],
)
def test_params_validation_names_the_key(changes: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(InvalidParamError) as caught:
        SRResNetParams(**changes)
    assert caught.value.key == key
    assert message in caught.value.message


def test_defaults_are_the_papers() -> None:
    params = SRResNetParams()
    assert (params.n_channels, params.n_blocks, params.head_kernel_size) == (64, 16, 9)
    assert (params.kernel_size, params.norm, params.activation) == (3, "none", "prelu")
    assert params.global_skip
    assert params.residual_scale == 1.0


def test_tiny_is_much_smaller_than_the_default() -> None:
    def count(params: SRResNetParams) -> int:
        return sum(p.numel() for p in SRResNet(2, 3, 3, 4, params).parameters())

    assert count(TINY) * 100 < count(SRResNetParams())


@pytest.mark.parametrize(
    ("dims", "in_channels", "out_channels", "scale", "message"),
    [
        (1, 3, 3, 2, "spatial_dims must be 2 or 3, got 1"),
        (2, 0, 3, 2, "in_channels must be >= 1, got 0"),
        (2, 3, 0, 2, "out_channels must be >= 1, got 0"),
        (2, 3, 3, 5, r"scale must be one of \[2, 3, 4, 8\], got 5"),
    ],
)
def test_constructor_arguments_are_validated(
    dims: Any, in_channels: int, out_channels: int, scale: int, message: str
) -> None:
    params = attrs.evolve(TINY, global_skip=False)
    with pytest.raises(ValueError, match=message):
        SRResNet(dims, in_channels, out_channels, scale, params)


@pytest.mark.parametrize("shape", [(1, 2, 6, 6), (1, 3, 6, 6, 6), (3, 6, 6)])
def test_forward_rejects_the_wrong_input_shape(shape: tuple[int, ...]) -> None:
    model = SRResNet(2, 3, 3, 2, TINY)
    with pytest.raises(ValueError, match=r"SRResNet expects lr of shape \[B, 3, H, W\], got"):
        model(torch.rand(shape))


def test_every_block_kind_has_a_builder() -> None:
    assert set(BODY_BLOCKS) == set(get_args(BlockKind))


def test_registered_with_its_capabilities() -> None:
    entry = GENERATORS.get("srresnet")
    assert entry.factory is SRResNet
    assert entry.params_cls is SRResNetParams
    assert entry.capabilities.spatial_dims == frozenset({2, 3})
    assert entry.capabilities.scales == frozenset({2, 3, 4, 8})
