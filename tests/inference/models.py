"""Small models with known receptive fields for tiling tests, and a 2-step training checkpoint."""

from __future__ import annotations

from pathlib import Path

import attrs
import torch
from torch import Tensor, nn

from containers.cli.main import main
from gan_engine.generators.srresnet import SRResNet, SRResNetParams
from gan_engine.nn.layers import conv
from gan_engine.nn.pixel_shuffle import pixel_shuffle
from gan_engine.nn.receptive import chain, conv_span, nearest_up_span, radius
from gan_engine.types import SpatialDims
from tests.containers.conftest import FAST, QUICKSTART


class ConvStack(nn.Module):
    """``depth`` 3x3 convs with tanh at low resolution, pixel shuffle, one 3x3 conv at high resolution."""

    def __init__(self, spatial_dims: SpatialDims, channels: int, scale: int, depth: int) -> None:
        super().__init__()
        self.spatial_dims = spatial_dims
        self.in_channels = self.out_channels = channels
        self.scale = scale
        conv_cls = conv(spatial_dims)
        layers: list[nn.Module] = []
        for _ in range(depth):
            layers += [conv_cls(channels, channels, 3, padding=1), nn.Tanh()]
        self.body = nn.Sequential(*layers)
        self.expand = conv_cls(channels, channels * scale**spatial_dims, 1)
        self.tail = conv_cls(channels, channels, 3, padding=1)
        self.radius = radius(chain(conv_span(depth), nearest_up_span(scale), conv_span(1)), scale)

    def forward(self, lr: Tensor, cond: Tensor | None = None) -> Tensor:
        return self.tail(pixel_shuffle(self.expand(self.body(lr)), self.scale))


def tiny_srresnet(
    spatial_dims: SpatialDims,
    channels: int,
    scale: int,
    seed: int = 0,
    *,
    tail_gain: float = 10.0,
    **changes: object,
) -> SRResNet:
    """The registered srresnet in its tiny configuration, in eval mode.

    ``tail_gain`` multiplies the last conv: the default undoes its small initial gain so that
    tile-edge effects are not hidden by the bicubic skip; 1 keeps outputs near the input's range.
    """
    torch.manual_seed(seed)
    params = SRResNetParams.tiny()
    if changes:
        params = attrs.evolve(params, **changes)
    model = SRResNet(spatial_dims, channels, channels, scale, params).eval()
    with torch.no_grad():
        model.tail.weight.mul_(tail_gain)
    return model


def train_checkpoint(root: Path) -> Path:
    """Run the quickstart spec for two steps (FAST overrides) and return ``last.ckpt``."""
    run_dir = root / "run"
    args = ["train", str(QUICKSTART), "--run-dir", str(run_dir)]
    for override in [*FAST, f"Logging.run_root={root / 'runs'}"]:
        args += ["--set", override]
    status = main(args)
    if status != 0:
        msg = f"training the test checkpoint failed with status {status}"
        raise RuntimeError(msg)
    return run_dir / "checkpoints" / "last.ckpt"
