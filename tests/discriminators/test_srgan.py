from __future__ import annotations

import math
from typing import Any

import attrs
import pytest
import torch
from torch import nn

from gan_engine.discriminators.srgan import SRGANDiscriminator, SRGANDiscriminatorParams
from gan_engine.errors import InvalidParamError
from gan_engine.registry import DISCRIMINATORS
from gan_engine.types import SpatialDims

TINY = SRGANDiscriminatorParams.tiny()


@pytest.mark.parametrize(
    "spatial",
    [(5, 5), (9, 16), (32, 7), (5, 5, 5), (6, 9, 12)],
    ids=lambda s: "x".join(map(str, s)),
)
def test_one_logit_per_image_for_any_input_size(spatial: tuple[int, ...]) -> None:
    dims: Any = len(spatial)
    model = SRGANDiscriminator(dims, 3, TINY)
    logits = model(torch.rand(2, 3, *spatial))
    assert logits.shape == (2, 1)
    assert torch.isfinite(logits).all()


def test_has_no_layer_tied_to_the_input_size() -> None:
    model = SRGANDiscriminator(2, 3)
    assert not any(isinstance(m, nn.Linear) for m in model.modules())


@pytest.mark.parametrize("dims", [2, 3])
def test_features_halve_every_second_block(dims: SpatialDims) -> None:
    model = SRGANDiscriminator(dims, 2, TINY)
    spatial = [7, 10, 12][:dims]
    features = model.features(torch.rand(1, 2, *spatial))
    assert len(features) == TINY.n_blocks
    for index, feature in enumerate(features):
        halvings = (index + 1) // 2
        expected = [math.ceil(size / 2**halvings) for size in spatial]
        assert feature.shape == (1, TINY.block_channels()[index], *expected)


def test_forward_is_the_head_on_the_last_feature() -> None:
    model = SRGANDiscriminator(2, 1, TINY).eval()
    x = torch.rand(2, 1, 8, 8)
    torch.testing.assert_close(model(x), model.head(model.features(x)[-1]))


def test_channels_double_every_second_block_up_to_the_cap() -> None:
    assert SRGANDiscriminatorParams().block_channels() == [64, 64, 128, 128, 256, 256, 512, 512]
    capped = SRGANDiscriminatorParams(base_channels=32, max_channels=64, n_blocks=6)
    assert capped.block_channels() == [32, 32, 64, 64, 64, 64]


@pytest.mark.parametrize(
    ("norm", "dims", "norm_cls"),
    [
        ("batch", 2, nn.BatchNorm2d),
        ("instance", 3, nn.InstanceNorm3d),
        ("batch", 3, nn.BatchNorm3d),
    ],
)
def test_every_block_but_the_first_is_normalised(
    norm: Any, dims: SpatialDims, norm_cls: type[nn.Module]
) -> None:
    model = SRGANDiscriminator(dims, 3, attrs.evolve(TINY, norm=norm))
    has_norm = [any(isinstance(m, norm_cls) for m in block.modules()) for block in model.blocks]
    assert has_norm == [False] + [True] * (TINY.n_blocks - 1)


def test_without_norm_every_conv_has_a_bias() -> None:
    model = SRGANDiscriminator(2, 3, attrs.evolve(TINY, norm="none"))
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert all(c.bias is not None for c in convs)
    assert not any(isinstance(m, nn.BatchNorm2d | nn.InstanceNorm2d) for m in model.modules())


def test_min_input_size() -> None:
    assert SRGANDiscriminatorParams().min_input_size() == 17  # 4 halvings, 2 pixels left
    assert TINY.min_input_size() == 5
    assert attrs.evolve(TINY, norm="none").min_input_size() == 1
    assert SRGANDiscriminatorParams(n_blocks=1).min_input_size() == 1
    entry = DISCRIMINATORS.get("srgan")
    assert entry.capabilities.min_input_size == SRGANDiscriminatorParams().min_input_size()


@pytest.mark.parametrize("norm", ["batch", "instance"])
@pytest.mark.parametrize("dims", [2, 3])
def test_min_input_size_is_tight_for_a_batch_of_one(norm: Any, dims: SpatialDims) -> None:
    params = attrs.evolve(TINY, norm=norm)
    model = SRGANDiscriminator(dims, 1, params).train()
    smallest = params.min_input_size()
    assert torch.isfinite(model(torch.rand(1, 1, *([smallest] * dims)))).all()
    with pytest.raises(ValueError, match="more than 1"):
        model(torch.rand(1, 1, *([smallest - 1] * dims)))


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"base_channels": 0}, "base_channels", "must be >= 1, got 0"),
        ({"max_channels": 32}, "max_channels", "must be >= base_channels (64), got 32"),
        ({"n_blocks": 0}, "n_blocks", "must be >= 1, got 0"),
        ({"norm": "group"}, "norm", "expected one of 'batch', 'instance', 'none', got 'group'"),
        ({"head_channels": 0}, "head_channels", "must be >= 1, got 0"),
    ],
)
def test_params_validation_names_the_key(changes: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(InvalidParamError) as caught:
        SRGANDiscriminatorParams(**changes)
    assert caught.value.key == key
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("dims", "in_channels", "message"),
    [(1, 3, "spatial_dims must be 2 or 3, got 1"), (2, 0, "in_channels must be >= 1, got 0")],
)
def test_constructor_arguments_are_validated(dims: Any, in_channels: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SRGANDiscriminator(dims, in_channels, TINY)


def test_forward_rejects_the_wrong_input_shape() -> None:
    model = SRGANDiscriminator(3, 2, TINY)
    with pytest.raises(
        ValueError, match=r"expects x of shape \[B, 2, D, H, W\], got \(1, 2, 8, 8\)"
    ):
        model(torch.rand(1, 2, 8, 8))


def test_stores_its_arguments() -> None:
    model = SRGANDiscriminator(3, 4, TINY)
    assert (model.spatial_dims, model.in_channels, model.min_input_size) == (3, 4, 5)
