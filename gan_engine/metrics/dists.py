"""DISTS (Ding et al. 2020): structure and texture similarity of VGG16 features, local weights only.

The network is VGG16's convolutional part up to ``relu5_3`` with every max-pool replaced by an
L2 pool (a 3×3 Hann-weighted root-mean-square, stride 2). For the input and each of the five stage
outputs it compares per-channel means (texture) and covariances (structure); learned weights
``alpha`` and ``beta`` (1,475 each, one per channel of the six feature maps) mix them into one
distance, 0 for identical images.

Weights are read from disk, never downloaded: the VGG16 backbone from torchvision's file
``vgg16-397923af.pth`` in ``$TORCH_HOME/hub/checkpoints`` (or ``backbone_path``), ``alpha`` and
``beta`` from ``weights_path``, else ``dists_weights.pt`` in the same folder, else the ``weights.pt``
shipped inside the ``DISTS_pytorch`` package when it is installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import torch
import torch.nn.functional as F
import torchvision
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError, WeightsNotFoundError
from gan_engine.metrics.streams import PerSampleMetric
from gan_engine.metrics.views import band_errors
from gan_engine.pretrained import hub_checkpoints, load_renamed, load_state_file, resolve_weights
from gan_engine.registry import Capabilities, register_metric
from gan_engine.types import BuildContext, SpatialDims

BACKBONE_FILE = "vgg16-397923af.pth"
WEIGHTS_FILE = "dists_weights.pt"
CHANNELS = (3, 64, 128, 256, 512, 512)
"""Channels of the input and of the five stage outputs whose statistics are compared."""
_STAGE_ENDS = (
    3,
    8,
    15,
    22,
    29,
)  # VGG16 features index of relu1_2, relu2_2, relu3_3, relu4_3, relu5_3
_POOLS = (4, 9, 16, 23)  # VGG16's max-pools, replaced by L2 pools
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)
_C1 = _C2 = 1e-6


class L2Pool(nn.Module):
    """Root of a 3×3 Hann-weighted mean of squares, stride 2, per channel (DISTS' pooling)."""

    kernel: Tensor

    def __init__(self, channels: int) -> None:
        super().__init__()
        window = torch.hann_window(5, periodic=False, dtype=torch.float64)[1:-1]
        kernel = torch.outer(window, window)
        kernel = (kernel / kernel.sum()).float()
        self.register_buffer("kernel", kernel.expand(channels, 1, 3, 3).clone(), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """``[N, C, H, W]`` → ``[N, C, ⌊(H - 1) / 2⌋ + 1, …]``."""
        pooled = F.conv2d(x.square(), self.kernel, stride=2, padding=1, groups=x.shape[1])
        return (pooled + 1e-12).sqrt()


class DISTSNetwork(nn.Module):
    """The DISTS model: ``forward(x, y)`` of ``[N, 3, H, W]`` batches in ``[0, 1]`` → ``[N]``.

    Built with a random backbone and uniform ``alpha``/``beta``; :func:`build_dists` loads them.
    """

    alpha: Tensor
    beta: Tensor
    mean: Tensor
    std: Tensor

    def __init__(self) -> None:
        super().__init__()
        vgg = torchvision.models.vgg  # only the convolutional part: no classifier is built
        features = vgg.make_layers(vgg.cfgs["D"], batch_norm=False)[: _STAGE_ENDS[-1] + 1]
        for index in _POOLS:
            features[index] = L2Pool(features[index - 2].out_channels)
        self.features = features
        total = sum(CHANNELS)
        self.register_buffer("alpha", torch.full((1, total, 1, 1), 0.1))
        self.register_buffer("beta", torch.full((1, total, 1, 1), 0.1))
        mean = torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1)
        self.register_buffer("mean", mean, persistent=False)
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def feature_maps(self, x: Tensor) -> list[Tensor]:
        """The input and the five stage outputs (``relu1_2`` … ``relu5_3``)."""
        maps = [x]
        h = (x - self.mean) / self.std
        start = 0
        for end in _STAGE_ENDS:
            for index in range(start, end + 1):
                h = self.features[index](h)
            maps.append(h)
            start = end + 1
        return maps

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        """DISTS distance per image ``[N]``; 0 for identical images, lower is more similar."""
        return self.compare(self.feature_maps(x), self.feature_maps(y))

    def compare(self, maps_x: list[Tensor], maps_y: list[Tensor]) -> Tensor:
        """DISTS ``[N]`` from the :meth:`feature_maps` of both sides."""
        x = maps_x[0]
        total = self.alpha.sum() + self.beta.sum()
        alphas = torch.split(self.alpha / total, list(CHANNELS), dim=1)
        betas = torch.split(self.beta / total, list(CHANNELS), dim=1)
        texture = structure = torch.zeros(x.shape[0], device=x.device)
        for k, (fx, fy) in enumerate(zip(maps_x, maps_y, strict=True)):
            mean_x = fx.mean(dim=(2, 3), keepdim=True)
            mean_y = fy.mean(dim=(2, 3), keepdim=True)
            s1 = (2 * mean_x * mean_y + _C1) / (mean_x.square() + mean_y.square() + _C1)
            texture = texture + (alphas[k] * s1).sum(dim=(1, 2, 3))
            var_x = (fx - mean_x).square().mean(dim=(2, 3), keepdim=True)
            var_y = (fy - mean_y).square().mean(dim=(2, 3), keepdim=True)
            cov = (fx * fy).mean(dim=(2, 3), keepdim=True) - mean_x * mean_y
            s2 = (2 * cov + _C2) / (var_x + var_y + _C2)
            structure = structure + (betas[k] * s2).sum(dim=(1, 2, 3))
        return 1 - (texture + structure)


def dists_weights_file(weights_path: str | None) -> Path:
    """The ``alpha``/``beta`` file: ``weights_path``, the torch cache, else ``DISTS_pytorch``'s.

    Raises:
        WeightsNotFoundError: no file; the message names the expected file and folder.
    """
    if weights_path is not None:
        path = Path(weights_path).expanduser()
        if not path.is_file():
            msg = f"dists: weights_path not found: '{path}' (a file holding 'alpha' and 'beta')"
            raise WeightsNotFoundError(msg)
        return path
    cached = hub_checkpoints() / WEIGHTS_FILE
    if cached.is_file():
        return cached
    spec = importlib.util.find_spec("DISTS_pytorch")
    if spec is not None and spec.origin is not None:
        shipped = Path(spec.origin).parent / "weights.pt"
        if shipped.is_file():
            return shipped
    msg = (
        f"dists: the DISTS weights (alpha, beta) were not found: '{cached}'. Nothing is downloaded: "
        f"put the DISTS authors' 'weights.pt' there as '{WEIGHTS_FILE}' (folder '{cached.parent}'), "
        f"install DISTS_pytorch (it ships the file), or give weights_path."
    )
    raise WeightsNotFoundError(msg)


def build_dists(backbone_path: str | None = None, weights_path: str | None = None) -> DISTSNetwork:
    """A DISTS network in eval mode with the backbone and ``alpha``/``beta`` read from disk.

    Raises:
        WeightsNotFoundError: a file is missing, unreadable or does not fit.
    """
    network = DISTSNetwork()
    backbone = resolve_weights("dists", BACKBONE_FILE, pretrained=True, weights_path=backbone_path)
    if backbone is None:  # pretrained=True always resolves a file or raises
        msg = "dists: no backbone file was resolved (a bug)"
        raise RuntimeError(msg)
    keys = {key: f"features.{key}" for key in network.features.state_dict()}
    load_renamed("dists", network.features, load_state_file("dists", backbone), keys, backbone)
    path = dists_weights_file(weights_path)
    state = load_state_file("dists", path)
    own = {"alpha": network.alpha, "beta": network.beta}
    for key, buffer in own.items():
        value = state.get(key)
        if value is None or value.numel() != buffer.numel():
            found = "missing" if value is None else f"{value.numel()} values"
            msg = f"dists: '{path}' needs '{key}' with {buffer.numel()} values, found {found}"
            raise WeightsNotFoundError(msg)
        buffer.copy_(value.reshape(buffer.shape))
    return network.eval().requires_grad_(False)


@attrs.frozen(kw_only=True)
class DISTSParams:
    """Parameters of the ``dists`` metric.

    Attributes:
        bands: three band indices shown to the network for data with other than 1 or 3 bands.
        backbone_path: the VGG16 file (torchvision key names) instead of
            ``$TORCH_HOME/hub/checkpoints/vgg16-397923af.pth``.
        weights_path: the file holding ``alpha`` and ``beta`` instead of the cache's
            ``dists_weights.pt`` or the ``DISTS_pytorch`` package's ``weights.pt``.
    """

    bands: list[int] | None = None
    backbone_path: str | None = None
    weights_path: str | None = None

    def check(self, context: BuildContext) -> Iterable[InvalidParamError]:
        """The bands must fit the run's channels."""
        return list(band_errors(self.bands, context.channels))


@register_metric(
    "dists",
    params=DISTSParams,
    capabilities=Capabilities(bands=frozenset({1, 3}), weight_files=(BACKBONE_FILE, WEIGHTS_FILE)),
)
class DISTSMetric(PerSampleMetric):
    """DISTS of each sample to its reference, averaged over validation; lower is better (0 = same).

    2D and 3D (2.5D slices), any band count through :mod:`gan_engine.metrics.views`.
    """

    higher_is_better = False

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, params: DISTSParams | None = None
    ) -> None:
        params = params or DISTSParams()
        errors = list(band_errors(params.bands, channels))
        if errors:
            raise errors[0]
        self.spatial_dims = spatial_dims
        self.params = params
        self.dists = build_dists(params.backbone_path, params.weights_path)
        super().__init__(self.dists, params.bands)

    def _distance(self, prediction: Tensor, target: Tensor) -> Tensor:
        return self._compare(self._embed(prediction), self._embed(target))

    def _embed(self, images: Tensor) -> list[Tensor]:
        return self.dists.feature_maps(images)

    def _compare(self, prediction: Any, target: Any) -> Tensor:
        return self.dists.compare(prediction, target)
