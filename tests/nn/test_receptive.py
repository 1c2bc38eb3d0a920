from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gan_engine.nn.receptive import (
    chain,
    conv_span,
    identity,
    interpolated_up_span,
    nearest_up_span,
    radius,
    strided_span,
    union,
)
from tests.receptive_support import measured_radius


def test_span_arithmetic() -> None:
    assert conv_span(2)((0, 0)) == (-2, 2)
    assert strided_span(4, 2, 1)((3, 3)) == (5, 8)
    assert nearest_up_span(2)((-1, 3)) == (-1, 1)
    assert interpolated_up_span(4, 2)((5, 5)) == (-1, 3)
    assert identity()((1, 2)) == (1, 2)
    assert chain(conv_span(1), nearest_up_span(2))((0, 1)) == (-1, 1)
    assert union(conv_span(1), conv_span(3))((0, 0)) == (-3, 3)


def test_radius_of_conv_then_upsample_matches_the_network() -> None:
    torch.manual_seed(0)
    conv = nn.Conv2d(1, 1, 5, padding=2).double()
    tail = nn.Conv2d(1, 1, 3, padding=1).double()

    def network(x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = tail(F.interpolate(conv(x), scale_factor=2, mode="nearest"))
        return out

    claimed = radius(chain(conv_span(2), nearest_up_span(2), conv_span(1)), scale=2)
    assert claimed == 3
    assert measured_radius(network, (1, 1, 15, 15), scale=2) == claimed


def test_radius_of_bicubic_and_strided_layers_bounds_the_network() -> None:
    def bicubic(x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=3, mode="bicubic", align_corners=False)

    assert measured_radius(bicubic, (1, 1, 11, 11), scale=3) == radius(
        interpolated_up_span(3, 2), scale=3
    )
    down = nn.Conv2d(1, 1, 4, stride=2, padding=1).double()

    def down_up(x: torch.Tensor) -> torch.Tensor:
        coarse: torch.Tensor = down(x)
        return F.interpolate(coarse, size=x.shape[2:], mode="bilinear", align_corners=False)

    claimed = radius(chain(strided_span(4, 2, 1), interpolated_up_span(2, 1)), period=4)
    assert measured_radius(down_up, (1, 1, 17, 17)) <= claimed
    assert measured_radius(down_up, (1, 1, 16, 16)) <= claimed
