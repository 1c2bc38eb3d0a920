"""LPIPS (Zhang et al. 2018) per sample through the ``lpips`` package, with local weights only.

The backbone comes from torchvision's file in ``$TORCH_HOME/hub/checkpoints`` (``alexnet-owt-7be5be79.pth``
or ``vgg16-397923af.pth``), the linear layers from the files shipped inside the lpips package; nothing
is downloaded and a missing file raises :class:`~gan_engine.errors.WeightsNotFoundError` naming it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Literal, Self

import attrs
import torch
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.lpips_network import BACKBONE_FILES, build_lpips
from gan_engine.metrics.streams import PerSampleMetric
from gan_engine.metrics.views import band_errors, per_sample, three_bands, unit_range
from gan_engine.pretrained import resolve_weights
from gan_engine.registry import Capabilities, register_metric
from gan_engine.types import BuildContext, SpatialDims


class LPIPSMetric:
    """LPIPS distance per sample; lower is more similar (0 for identical images).

    A plain object, not an ``nn.Module``: held by a trainer or callback it never enters a checkpoint.
    Move it with :meth:`to`.

    Args:
        net: ``alex`` (the LPIPS authors' choice as a metric) or ``vgg``.
        weights_path: an explicit backbone file (torchvision key names) instead of the torch cache.
        channels: 3 band indices to evaluate for inputs with other than 1 or 3 bands.

    Raises:
        WeightsNotFoundError: a weight file is missing or does not fit.
    """

    def __init__(
        self,
        net: str = "alex",
        weights_path: str | None = None,
        channels: Sequence[int] | None = None,
    ) -> None:
        if net not in BACKBONE_FILES:
            msg = f"lpips_metric: net must be 'alex' or 'vgg', got {net!r}"
            raise ValueError(msg)
        if channels is not None and len(channels) != 3:
            msg = f"lpips_metric: channels must name 3 bands, got {list(channels)}"
            raise ValueError(msg)
        self.channels = None if channels is None else list(channels)
        model = build_lpips("lpips_metric", net, pretrained=True, weights_path=weights_path)
        self.model = model.eval().requires_grad_(False)

    def to(self, device: torch.device | str) -> Self:
        """Move the LPIPS network to ``device``; returns ``self``."""
        self.model.to(device)
        return self

    def __call__(self, prediction: Tensor, target: Tensor, data_range: float) -> Tensor:
        """LPIPS of each sample of ``[B, C, *S]`` batches in ``[0, data_range]``: ``[B]``.

        Values are mapped to LPIPS' [-1, 1] by ``2 · x / data_range - 1``. One band is repeated to
        three; other counts than 1 and 3 need ``channels``. 3D volumes are evaluated 2.5D: the mean over
        every slice along each of the three axes (:mod:`gan_engine.metrics.views`). Each spatial axis
        needs 32 pixels (AlexNet).
        """
        if prediction.shape != target.shape:
            msg = f"lpips_metric: shapes differ: {tuple(prediction.shape)} vs {tuple(target.shape)}"
            raise ValueError(msg)
        if data_range <= 0:
            msg = f"lpips_metric: data_range must be > 0, got {data_range}"
            raise ValueError(msg)
        bands = prediction.shape[1]
        if self.channels is None and bands not in (1, 3):
            msg = f"lpips_metric: LPIPS takes 3 bands but the input has {bands}; give channels"
            raise ValueError(msg)
        if prediction.ndim not in (4, 5):
            msg = f"lpips_metric: expected [B, C, H, W] or [B, C, D, H, W], got {tuple(prediction.shape)}"
            raise ValueError(msg)
        x = three_bands(unit_range(prediction, data_range), self.channels)
        y = three_bands(unit_range(target, data_range), self.channels)
        with torch.no_grad():
            return per_sample(self.distance, x, y)

    def distance(self, x: Tensor, y: Tensor) -> Tensor:
        """LPIPS ``[N]`` of two ``[N, 3, H, W]`` batches with values in ``[0, 1]``."""
        distance: Tensor = self.model(x * 2.0 - 1.0, y * 2.0 - 1.0)
        return distance.reshape(x.shape[0])


@functools.lru_cache(maxsize=4)
def _cached_metric(net: str, backbone_file: str) -> LPIPSMetric:
    return LPIPSMetric(net=net, weights_path=backbone_file)


def lpips_metric(
    prediction: Tensor, target: Tensor, data_range: float, *, net: str = "alex"
) -> Tensor:
    """LPIPS per sample (``[B]``) with the backbone from the torch cache; see :class:`LPIPSMetric`.

    The model is built once per ``net`` and backbone file and reused (moved to the inputs' device).
    """
    if net not in BACKBONE_FILES:
        msg = f"lpips_metric: net must be 'alex' or 'vgg', got {net!r}"
        raise ValueError(msg)
    path = resolve_weights("lpips_metric", BACKBONE_FILES[net], pretrained=True, weights_path=None)
    metric = _cached_metric(net, str(path)).to(prediction.device)
    return metric(prediction, target, data_range)


@attrs.frozen(kw_only=True)
class LPIPSMetricParams:
    """Parameters of the ``lpips`` validation metric.

    Attributes:
        net: ``alex`` (the LPIPS authors' choice as a metric) or ``vgg``.
        weights_path: the backbone file (torchvision key names) instead of the torch cache's
            ``alexnet-owt-7be5be79.pth`` / ``vgg16-397923af.pth``.
        bands: three band indices shown to the network for data with other than 1 or 3 bands.
    """

    net: Literal["alex", "vgg"] = "alex"
    weights_path: str | None = None
    bands: list[int] | None = None

    def check(self, context: BuildContext) -> Iterable[InvalidParamError]:
        """The bands must fit the run's channels."""
        return list(band_errors(self.bands, context.channels))


@register_metric(
    "lpips",
    params=LPIPSMetricParams,
    capabilities=Capabilities(
        min_input_size=32,
        bands=frozenset({1, 3}),
        weight_files=tuple(BACKBONE_FILES[net] for net in ("alex", "vgg")),
    ),
)
class LPIPSValidation(PerSampleMetric):
    """LPIPS of each sample to its reference, averaged over validation; lower is better (0 = same).

    2D and 3D (2.5D slices), any band count through :mod:`gan_engine.metrics.views`; each spatial
    axis needs 32 pixels with AlexNet.
    """

    higher_is_better = False

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, params: LPIPSMetricParams | None = None
    ) -> None:
        params = params or LPIPSMetricParams()
        errors = list(band_errors(params.bands, channels))
        if errors:
            raise errors[0]
        self.spatial_dims = spatial_dims
        self.params = params
        self.lpips = LPIPSMetric(
            net=params.net, weights_path=params.weights_path, channels=params.bands
        )
        super().__init__(self.lpips.model, params.bands)

    def _distance(self, prediction: Tensor, target: Tensor) -> Tensor:
        return self.lpips.distance(prediction, target)
