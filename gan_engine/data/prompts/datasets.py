"""Datasets that pair every item with the prompt of the image or volume it was cut from.

A :class:`PromptedDataset` wraps any dataset that says which source an item comes from
(:class:`SourceIndexed`: the photo, raster scene or volume) and adds
``metadata = {"prompt": ..., "id": ..., **source metadata}``. Training items drop their prompt
(replace it by ``""``) with probability ``dropout``, keyed by ``(seed, epoch, index)`` so a rerun
or a resumed run drops the same ones; validation never drops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NotRequired, Protocol, cast, runtime_checkable

import torch
from torch.utils.data import Dataset

from gan_engine.data.epochs import EpochKeyed, SharedEpoch
from gan_engine.data.prompts.manifests import PromptEntry
from gan_engine.data.seeding import item_generator
from gan_engine.types import Sample

DROPOUT_STREAM = 0x7E47
"""Offset of the dropout draws' seed, so they never reuse the inner dataset's crop stream."""


class PromptedSample(Sample):
    """A :class:`~gan_engine.types.Sample` with ``metadata`` holding ``prompt`` and ``id``."""

    metadata: NotRequired[dict[str, Any]]


@runtime_checkable
class SourceIndexed(Protocol):
    """A dataset that says which of its sources (images, scenes, volumes) item ``index`` is from."""

    def source_index(self, index: int) -> int:
        """Position of item ``index``'s source in the dataset's source list."""
        ...

    def __len__(self) -> int:
        """Number of items."""
        ...

    def __getitem__(self, index: int) -> Sample:
        """The item."""
        ...


class PromptedDataset(EpochKeyed, Dataset[PromptedSample]):
    """``inner``'s items with their source's prompt, id and metadata; optional prompt dropout.

    Args:
        inner: the image dataset; ``inner.source_index(i)`` indexes ``entries`` and ``ids``.
        entries: prompt and metadata per source.
        ids: a stable id per source (e.g. a file name), for embeddings looked up by id.
        dropout: probability of replacing a prompt by ``""`` (0 for validation).
        seed: seed of the dropout draws (with the epoch and the item index).
    """

    def __init__(
        self,
        inner: SourceIndexed,
        entries: Sequence[PromptEntry],
        ids: Sequence[str],
        *,
        dropout: float = 0.0,
        seed: int = 0,
    ) -> None:
        if len(entries) != len(ids):
            msg = f"expected one id per prompt entry, got {len(ids)} ids for {len(entries)}"
            raise ValueError(msg)
        if not 0.0 <= dropout < 1.0:
            msg = f"prompt dropout must be in [0, 1), got {dropout}"
            raise ValueError(msg)
        self.inner = inner
        self.entries = list(entries)
        self.ids = list(ids)
        self.dropout = dropout
        self.seed = seed
        self._epoch = SharedEpoch()

    def __len__(self) -> int:
        return len(self.inner)

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch of the dropout draws and of the inner dataset's crops."""
        super().set_epoch(epoch)
        inner_set_epoch = getattr(self.inner, "set_epoch", None)
        if callable(inner_set_epoch):
            inner_set_epoch(epoch)

    def dropped(self, index: int) -> bool:
        """Whether item ``index`` of the current epoch loses its prompt."""
        if self.dropout == 0.0:
            return False
        generator = item_generator(self.seed + DROPOUT_STREAM, self.epoch, index)
        return float(torch.rand((), generator=generator)) < self.dropout

    def __getitem__(self, index: int) -> PromptedSample:
        sample = cast(PromptedSample, dict(self.inner[index]))
        position = self.inner.source_index(index)
        entry = self.entries[position]
        prompt = "" if self.dropped(index) else entry.prompt
        inherited = sample.get("metadata") or {}  # e.g. a raster window's position
        sample["metadata"] = {
            **inherited,
            **entry.metadata,
            "prompt": prompt,
            "id": self.ids[position],
        }
        return sample
