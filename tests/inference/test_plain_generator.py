"""A new architecture written plainly, with no inference forms of its own, is correct and tiled exactly.

The generator below is what a user writes: an ``nn.Module`` with the protocol's attributes, the shared
checks (:mod:`gan_engine.generators.checks`), a library block (which has inference forms of its own)
and a ``receptive_field`` method on its parameters. The predictor prepares it for inference (only the
library block changes form), reads its receptive field from the parameters, and its tiled output
equals the plain untiled forward.
"""

from __future__ import annotations

import attrs
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.generators import checks
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.nn.inference_forms import InferenceForms
from gan_engine.nn.interpolate import upsample
from gan_engine.nn.layers import conv
from gan_engine.nn.receptive import (
    chain,
    conv_span,
    interpolated_up_span,
    nearest_up_span,
    radius,
    union,
)
from gan_engine.nn.residual import ResidualBlock
from gan_engine.normalisers.scale import IdentityNormaliser
from gan_engine.protocols import Generator
from gan_engine.types import Conditioning, SpatialDims
from tests.receptive_support import measured_radius


@attrs.frozen
class PlainParams:
    """Feature width of the plain generator."""

    width: int = 4

    def receptive_field(self, scale: int) -> int:
        """Head conv, residual block (two 3x3), nearest upsampling, HR conv; bicubic skip."""
        network = chain(conv_span(1), conv_span(2), nearest_up_span(scale), conv_span(1))
        return radius(union(network, interpolated_up_span(scale, 2)), scale)


class PlainGenerator(nn.Module):
    """Head conv, one library residual block, nearest upsampling, HR conv, plus a bicubic skip."""

    def __init__(
        self, spatial_dims: SpatialDims, in_channels: int, out_channels: int, scale: int
    ) -> None:
        super().__init__()
        checks.check_arguments(
            "PlainGenerator", spatial_dims, in_channels, out_channels, global_skip=True
        )
        self.spatial_dims = spatial_dims
        self.in_channels, self.out_channels, self.scale = in_channels, out_channels, scale
        self.params = PlainParams()
        layer = conv(spatial_dims)
        self.head = layer(in_channels, self.params.width, 3, padding=1)
        self.block = ResidualBlock(spatial_dims, self.params.width, activation="relu")
        self.tail = layer(self.params.width, out_channels, 3, padding=1)

    def forward(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        checks.check_input("PlainGenerator", lr, self.spatial_dims, self.in_channels)
        features = self.block(self.head(lr))
        nearest = F.interpolate(features, scale_factor=self.scale, mode="nearest")
        detail: Tensor = self.tail(nearest)
        return upsample(lr, self.scale) + detail


@pytest.mark.parametrize("dims", [2, 3])
def test_its_declared_receptive_field_is_the_measured_one(dims: SpatialDims) -> None:
    torch.manual_seed(0)
    model = PlainGenerator(dims, 1, 1, 2).double()
    shape = (1, 1, *(24 if dims == 2 else 16,) * dims)
    measured = measured_radius(model, shape, scale=2)
    assert measured == model.params.receptive_field(2)


@pytest.mark.parametrize("dims", [2, 3])
def test_tiled_prediction_equals_the_plain_untiled_forward(dims: SpatialDims) -> None:
    torch.manual_seed(1)
    generator = PlainGenerator(dims, 2, 2, 2)
    assert isinstance(generator, Generator)
    size = 40 if dims == 2 else 14
    lr = torch.rand(2, *(size,) * dims, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():  # the plain forward: nothing prepared yet
        reference = generator(lr[None])[0].numpy()
    tile = 16 if dims == 2 else 10
    predictor = Predictor(
        generator,
        IdentityNormaliser(2),
        options=PredictOptions(tile=tile, channels_last=False, precision="32"),
    )
    assert predictor.receptive_field == generator.params.receptive_field(2)
    assert predictor.tiling.mode == "centre"
    # the predictor prepared the library block, and left the plain generator as written
    assert not isinstance(generator, InferenceForms)
    assert generator.block.inference_form
    tiled = predictor.predict(lr.numpy())
    np.testing.assert_allclose(tiled, reference, rtol=1e-5, atol=1e-5)
