"""Accumulating a validation metric per stream (the model and each baseline) with torchmetrics.

A :class:`StreamedMetric` keeps one torchmetrics state per stream (``""`` for the model,
``"_bicubic"`` for a baseline), created on the stream's first batch; ``compute`` lets torchmetrics
combine the ranks' states under DDP. It is a plain object, not an ``nn.Module``, so neither its
network nor its state enters a training checkpoint.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Self

import torch
from torch import Tensor, nn
from torchmetrics import MeanMetric, Metric

from gan_engine.metrics.views import axis_slices, slice_mean, three_bands, unit_range


class StreamedMetric(ABC):
    """Base of the registered validation metrics (see :class:`~gan_engine.protocols.ValidationMetric`)."""

    higher_is_better: bool = False

    def __init__(self, network: nn.Module | None) -> None:
        self.network = None if network is None else network.eval().requires_grad_(False)
        self._device = torch.device("cpu")
        self._streams: dict[str, Metric] = {}
        self._updated: set[str] = set()  # streams with a batch since the last reset

    @abstractmethod
    def _new_state(self) -> Metric:
        """A fresh torchmetrics state for one stream."""

    @abstractmethod
    def _add(self, state: Metric, prediction: Tensor, target: Tensor, data_range: float) -> None:
        """Add one batch of one stream to its state."""

    def to(self, device: torch.device | str) -> Self:
        """Move the network and every stream's state to ``device``; returns ``self``."""
        self._device = torch.device(device)
        if self.network is not None:
            self.network.to(self._device)
        for state in self._streams.values():
            state.to(self._device)
        return self

    def _state(self, stream: str) -> Metric:
        """The stream's state, created on its first batch; marks the stream as updated."""
        state = self._streams.get(stream)
        if state is None:
            state = self._streams[stream] = self._new_state().to(self._device)
        self._updated.add(stream)
        return state

    def update(self, outputs: Mapping[str, Tensor], target: Tensor, data_range: float) -> None:
        """Add one batch of every stream in ``outputs`` (``[B, C, *S]`` like ``target``)."""
        check_shapes(outputs, target)
        for stream, prediction in outputs.items():
            with torch.no_grad():
                self._add(self._state(stream), prediction.detach(), target.detach(), data_range)

    def compute(self) -> dict[str, Tensor]:
        """Each stream's value (a scalar), in a fixed order so that DDP ranks synchronise alike.

        A torchmetrics state that returns ``(mean, std)`` (KID) reports its mean.
        """
        values = {}
        for stream in sorted(self._updated):
            value = self._streams[stream].compute()
            values[stream] = value[0] if isinstance(value, tuple) else value
        return values

    def reset(self) -> None:
        """Forget every batch (the streams' states are kept, emptied)."""
        for state in self._streams.values():
            state.reset()
        self._updated.clear()


def check_shapes(outputs: Mapping[str, Tensor], target: Tensor) -> None:
    """Every stream's output must have the target's shape."""
    for stream, prediction in outputs.items():
        if prediction.shape != target.shape:
            msg = (
                f"stream '{stream}': shapes differ: {tuple(prediction.shape)} vs "
                f"{tuple(target.shape)}"
            )
            raise ValueError(msg)


class PerSampleMetric(StreamedMetric):
    """A distance of each sample to its reference, averaged over the run (LPIPS, DISTS).

    Subclasses give :meth:`_distance` of two ``[N, 3, H, W]`` batches in ``[0, 1]``; bands and
    volumes reach it through :mod:`gan_engine.metrics.views` (``bands``: three band indices for
    data with other than 1 or 3 bands). A distance computed from features of each side may split
    into :meth:`_embed` and :meth:`_compare`: the reference is then embedded once per batch and
    shared by every stream.
    """

    def __init__(self, network: nn.Module, bands: list[int] | None) -> None:
        super().__init__(network)
        self.bands = bands

    @abstractmethod
    def _distance(self, prediction: Tensor, target: Tensor) -> Tensor:
        """``[N]`` distances of two RGB batches ``[N, 3, H, W]`` with values in ``[0, 1]``."""

    def _embed(self, images: Tensor) -> Any:
        """What :meth:`_compare` takes for ``[N, 3, H, W]`` images; the images themselves here."""
        return images

    def _compare(self, prediction: Any, target: Any) -> Tensor:
        """``[N]`` distances of two embedded batches; :meth:`_distance` here."""
        return self._distance(prediction, target)

    def _views(self, images: Tensor, data_range: float) -> list[Tensor]:
        return axis_slices(three_bands(unit_range(images, data_range), self.bands))

    def scores(self, prediction: Tensor, target: Tensor, data_range: float) -> Tensor:
        """The distance of each sample of ``[B, C, *S]`` batches in sensor units: ``[B]``."""
        return self._scores_of(prediction, self._reference(target, data_range), data_range)

    def _reference(self, target: Tensor, data_range: float) -> list[Any]:
        with torch.no_grad():
            return [self._embed(view) for view in self._views(target, data_range)]

    def _scores_of(self, prediction: Tensor, reference: list[Any], data_range: float) -> Tensor:
        with torch.no_grad():
            views = self._views(prediction, data_range)
            distances = [
                self._compare(self._embed(view), embedded)
                for view, embedded in zip(views, reference, strict=True)
            ]
        return slice_mean(distances, prediction.shape[0])

    def update(self, outputs: Mapping[str, Tensor], target: Tensor, data_range: float) -> None:
        """Add one batch of every stream; the reference is embedded once for all of them."""
        check_shapes(outputs, target)
        reference = self._reference(target.detach(), data_range)
        for stream, prediction in outputs.items():
            scores = self._scores_of(prediction.detach(), reference, data_range)
            self._state(stream).update(scores)

    def _new_state(self) -> Metric:
        return MeanMetric()

    def _add(self, state: Metric, prediction: Tensor, target: Tensor, data_range: float) -> None:
        state.update(self.scores(prediction, target, data_range))
