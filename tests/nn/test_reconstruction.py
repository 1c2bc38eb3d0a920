"""The shared upsampling path: plain, in place and banded forms agree; reach is read off the layers."""

from __future__ import annotations

from unittest import mock

import pytest
import torch
from torch import nn

from gan_engine.generators.rrdbnet import KERNEL_SIZE, RRDBNet, RRDBNetParams, upsampling_spans
from gan_engine.generators.srresnet import SRResNet, SRResNetParams
from gan_engine.nn import banded
from gan_engine.nn.interpolate import NearestUpsample
from gan_engine.nn.receptive import chain, conv_span, radius
from gan_engine.nn.reconstruction import reach, reconstruct


@pytest.mark.parametrize("upsampler", ["nearest", "subpixel"])
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_rrdbnet_reach_is_its_declared_upsampling_radius(upsampler: str, scale: int) -> None:
    params = RRDBNetParams(num_feat=4, num_block=1, num_grow_ch=2, upsampler=upsampler)  # type: ignore[arg-type]
    model = RRDBNet(2, 1, 1, scale, params)
    one = conv_span(KERNEL_SIZE // 2)
    spans = upsampling_spans(model.factors, params.upsampler)
    assert reach(model.reconstruction_layers()) == (radius(chain(*spans, one, one), scale), scale)


def _models() -> list[tuple[str, nn.Module, list[nn.Module]]]:
    torch.manual_seed(0)
    rrdb = RRDBNet(2, 2, 2, 4, RRDBNetParams(num_feat=4, num_block=1, num_grow_ch=2))
    sub = RRDBNet(
        3, 1, 1, 2, RRDBNetParams(num_feat=4, num_block=1, num_grow_ch=2, upsampler="subpixel")
    )
    srres = SRResNet(2, 3, 3, 4, SRResNetParams(n_channels=4, n_blocks=1))
    return [
        ("rrdbnet-nearest", rrdb, rrdb.reconstruction_layers()),
        ("rrdbnet-subpixel-3d", sub, sub.reconstruction_layers()),
        ("srresnet-coarse-tail", srres, [*srres.upsampler, srres.tail]),
    ]


@pytest.mark.parametrize("index", range(3), ids=[name for name, _, _ in _models()])
def test_banded_in_place_form_equals_the_plain_one_and_keeps_the_features(index: int) -> None:
    _, model, layers = _models()[index]
    width = next(iter(model.parameters())).shape[0]
    dims = 3 if isinstance(model, RRDBNet) and model.spatial_dims == 3 else 2
    features = torch.randn(1, width, *(9,) * dims)
    with torch.no_grad():
        plain = reconstruct(layers, features, inference=False)
    kept = features.clone()
    with mock.patch.multiple(banded, BAND_PIXELS=1, HALO_FRACTION=1), torch.inference_mode():
        fast = reconstruct(layers, features, inference=True)
    assert torch.equal(features, kept)
    torch.testing.assert_close(fast, plain, rtol=1e-5, atol=1e-6)


def test_layers_of_unknown_reach_run_unbanded_and_still_agree() -> None:
    strange = nn.Conv2d(2, 2, 3, padding=2, dilation=2)  # not a plain "same" conv: reach unknown
    layers = [NearestUpsample(2), strange, nn.ReLU()]
    assert reach(layers) is None
    features = torch.randn(1, 2, 7, 5)
    with torch.no_grad():
        plain = reconstruct(layers, features, inference=False)
    with mock.patch.multiple(banded, BAND_PIXELS=1, HALO_FRACTION=1), torch.inference_mode():
        fast = reconstruct(layers, features, inference=True)
    torch.testing.assert_close(fast, plain)
