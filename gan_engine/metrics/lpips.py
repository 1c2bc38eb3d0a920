"""LPIPS (Zhang et al. 2018) per sample through the ``lpips`` package, with local weights only.

The backbone comes from torchvision's file in ``$TORCH_HOME/hub/checkpoints`` (``alexnet-owt-7be5be79.pth``
or ``vgg16-397923af.pth``), the linear layers from the files shipped inside the lpips package; nothing
is downloaded and a missing file raises :class:`~gan_engine.errors.WeightsNotFoundError` naming it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Self

import torch
from torch import Tensor

from gan_engine.lpips_network import BACKBONE_FILES, build_lpips
from gan_engine.pretrained import resolve_weights


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

    def _per_image(self, prediction: Tensor, target: Tensor) -> Tensor:
        distance: Tensor = self.model(prediction, target)
        return distance.reshape(prediction.shape[0])

    def to(self, device: torch.device | str) -> Self:
        """Move the LPIPS network to ``device``; returns ``self``."""
        self.model.to(device)
        return self

    def __call__(self, prediction: Tensor, target: Tensor, data_range: float) -> Tensor:
        """LPIPS of each sample of ``[B, C, *S]`` batches in ``[0, data_range]``: ``[B]``.

        Values are mapped to LPIPS' [-1, 1] by ``2 · x / data_range - 1``. One band is repeated to
        three; other counts than 1 and 3 need ``channels``. 3D volumes are evaluated 2.5D: the mean over
        every slice along each of the three axes. Each spatial axis needs 32 pixels (AlexNet).
        """
        if prediction.shape != target.shape:
            msg = f"lpips_metric: shapes differ: {tuple(prediction.shape)} vs {tuple(target.shape)}"
            raise ValueError(msg)
        if data_range <= 0:
            msg = f"lpips_metric: data_range must be > 0, got {data_range}"
            raise ValueError(msg)
        bands = prediction.shape[1]
        if self.channels is not None:
            index = torch.tensor(self.channels, device=prediction.device)
            prediction, target = prediction.index_select(1, index), target.index_select(1, index)
        elif bands == 1:
            prediction = prediction.expand(-1, 3, *prediction.shape[2:])
            target = target.expand(-1, 3, *target.shape[2:])
        elif bands != 3:
            msg = f"lpips_metric: LPIPS takes 3 bands but the input has {bands}; give channels"
            raise ValueError(msg)
        with torch.no_grad():
            x = prediction.float() * (2.0 / data_range) - 1.0
            y = target.float() * (2.0 / data_range) - 1.0
            if x.ndim == 4:
                return self._per_image(x, y)
            if x.ndim != 5:
                msg = (
                    f"lpips_metric: expected [B, C, H, W] or [B, C, D, H, W], got {tuple(x.shape)}"
                )
                raise ValueError(msg)
            per_axis = [self._per_axis(x, y, axis) for axis in range(3)]
            return torch.stack(per_axis).mean(dim=0)

    def _per_axis(self, x: Tensor, y: Tensor, axis: int) -> Tensor:
        batch = x.shape[0]
        moved_x, moved_y = x.movedim(2 + axis, 1), y.movedim(2 + axis, 1)
        count = moved_x.shape[1]
        flat_x = moved_x.reshape(batch * count, *moved_x.shape[2:])
        flat_y = moved_y.reshape(batch * count, *moved_y.shape[2:])
        return self._per_image(flat_x, flat_y).reshape(batch, count).mean(dim=1)


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
