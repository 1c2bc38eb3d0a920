"""SRResNet with every body block type, in 2D and 3D."""

from __future__ import annotations

import copy
from typing import Any, get_args

import attrs
import pytest
import torch

from gan_engine.generators.body_blocks import BLOCK_RADII, BODY_BLOCKS, BlockKind
from gan_engine.generators.srresnet import SCALES, SRResNet, SRResNetParams
from gan_engine.nn.attention import LargeKernelAttentionBlock, ResidualChannelAttentionBlock
from gan_engine.nn.dense import RRDB
from gan_engine.nn.layers import channels_last_format
from gan_engine.nn.residual import ResidualBlock
from gan_engine.registry import GENERATORS
from gan_engine.types import SpatialDims
from tests.receptive_support import measured_radius

KINDS: tuple[BlockKind, ...] = get_args(BlockKind)
BLOCK_CLASSES = {
    "res": ResidualBlock,
    "rcab": ResidualChannelAttentionBlock,
    "rrdb": RRDB,
    "lka": LargeKernelAttentionBlock,
}


def tiny(block: BlockKind, **changes: Any) -> SRResNetParams:
    params = attrs.evolve(
        SRResNetParams.tiny(),
        block=block,
        reduction=2,
        growth_channels=4,
        lka_kernel_size=7,
        lka_dilation=2,
    )
    return attrs.evolve(params, **changes)


def test_every_block_kind_has_a_builder_and_a_radius() -> None:
    assert set(BODY_BLOCKS) == set(KINDS) == set(BLOCK_RADII)


@pytest.mark.parametrize("block", KINDS)
@pytest.mark.parametrize("dims", [2, 3])
def test_block_kind_builds_shapes_gradients_and_channels_last(
    block: BlockKind, dims: SpatialDims
) -> None:
    torch.manual_seed(0)
    model = SRResNet(dims, 2, 2, 2, tiny(block, n_blocks=2))
    assert sum(isinstance(m, BLOCK_CLASSES[block]) for m in model.modules()) == 2
    lr = torch.rand(2, 2, *([5] * dims))
    sr = model(lr)
    assert sr.shape == (2, 2, *([10] * dims))
    sr.square().mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    model.eval()
    fmt = channels_last_format(dims)
    with torch.no_grad():
        converted = copy.deepcopy(model).to(memory_format=fmt)
        out = converted(lr.contiguous(memory_format=fmt))
        torch.testing.assert_close(out, model(lr), rtol=1e-4, atol=1e-5)


def test_rrdb_body_uses_growth_channels_and_residual_scale() -> None:
    model = SRResNet(2, 1, 1, 2, tiny("rrdb", growth_channels=5, residual_scale=0.2))
    block = model.body[0]
    assert isinstance(block, RRDB)
    assert block.rdb1.conv1.out_channels == 5
    assert block.residual_scale == block.rdb2.residual_scale == 0.2


def test_rcab_body_uses_the_reduction() -> None:
    model = SRResNet(2, 1, 1, 2, tiny("rcab", n_channels=8, reduction=4))
    block = model.body[0]
    assert isinstance(block, ResidualChannelAttentionBlock)
    assert block.attention.gate[0].out_channels == 2


@pytest.mark.parametrize(
    ("block", "scale", "changes"),
    [
        ("res", 4, {}),
        ("res", 3, {"kernel_size": 5, "global_skip": False}),
        ("res", 8, {"n_blocks": 2}),
        ("rrdb", 2, {}),
        ("lka", 4, {"head_kernel_size": 5}),
        ("lka", 2, {"lka_kernel_size": 9, "lka_dilation": 3, "global_skip": False}),
    ],
)
def test_receptive_field_claim_is_exact(
    block: BlockKind, scale: int, changes: dict[str, Any]
) -> None:
    torch.manual_seed(0)
    params = tiny(block, **changes)
    claimed = params.receptive_field(scale)
    assert claimed is not None
    model = SRResNet(2, 1, 1, scale, params).double().eval()
    size = 2 * claimed + 3
    assert measured_radius(model, (1, 1, size, size), scale) == claimed


def test_receptive_field_claim_holds_in_3d() -> None:
    torch.manual_seed(0)
    params = tiny("res")
    claimed = params.receptive_field(2)
    assert claimed is not None
    model = SRResNet(3, 1, 1, 2, params).double().eval()
    size = 2 * claimed + 1
    assert measured_radius(model, (1, 1, size, size, size), 2) == claimed


@pytest.mark.parametrize("block", ["res", "lka", "rrdb"])
def test_perturbing_beyond_the_receptive_field_leaves_the_centre_unchanged(
    block: BlockKind,
) -> None:
    torch.manual_seed(0)
    params = tiny(block)
    radius = params.receptive_field(2)
    assert radius is not None
    model = SRResNet(2, 1, 1, 2, params).eval()
    size = 2 * radius + 8
    centre = size // 2
    lr = torch.rand(1, 1, size, size)
    far = [lr.clone() for _ in range(4)]
    for x, (dy, dx) in zip(far, [(0, 1), (0, -1), (1, 0), (-1, 0)], strict=True):
        x[..., centre + dy * (radius + 1), centre + dx * (radius + 1)] += 1.0
    near = lr.clone()
    near[..., centre, centre + 1] += 1.0
    with torch.no_grad():
        out = model(lr)[..., 2 * centre : 2 * centre + 2, 2 * centre : 2 * centre + 2]
        for x in far:
            assert torch.equal(
                model(x)[..., 2 * centre : 2 * centre + 2, 2 * centre : 2 * centre + 2], out
            )
        assert not torch.equal(model(near)[..., 2 * centre, 2 * centre], out[..., 0, 0])


def test_rcab_has_no_bounded_receptive_field_and_really_sees_everything() -> None:
    params = tiny("rcab")
    assert params.receptive_field() is None
    assert SRResNetParams(block="rcab").receptive_field(4) is None
    local = attrs.evolve(params, block="res").receptive_field(2)
    assert local is not None
    torch.manual_seed(0)
    model = SRResNet(2, 1, 1, 2, params).double().eval()
    size = 4 * local + 1
    # the centre output depends on the border pixels, far beyond the convolutions' reach
    assert measured_radius(model, (1, 1, size, size), 2) == size // 2


def test_default_receptive_field_is_declared_and_covers_every_scale() -> None:
    params = SRResNetParams()
    radii = [params.receptive_field(scale) for scale in sorted(SCALES)]
    assert params.receptive_field() == max(r for r in radii if r is not None) == 40
    assert GENERATORS.get("srresnet").capabilities.receptive_field == 40
    # depth adds two pixels per res block
    assert SRResNetParams(n_blocks=17).receptive_field(4) == 40 + 2
