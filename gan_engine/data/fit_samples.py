"""A re-iterable view of a map-style dataset, for fitting normalisers by streaming.

``normaliser.fit(samples)`` may iterate ``samples`` several times (a range pass, then a histogram
pass) and must never see them all at once. :class:`DatasetSamples` gives exactly that: each
``iter()`` reads the dataset item by item from index 0 again, holding one sample at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sized

from torch.utils.data import Dataset

from gan_engine.types import Sample


class DatasetSamples:
    """Items ``0 .. n-1`` of ``dataset`` (``n = min(len(dataset), limit)``), re-read on every pass.

    Items must not depend on how often they were read (true of the built-in datasets, whose
    randomness is keyed by seed, epoch and index); leave the epoch unchanged while fitting.

    Args:
        dataset: a map-style dataset with ``len()`` yielding unbatched samples.
        limit: read at most this many items per pass (``None``: all).
    """

    def __init__(self, dataset: Dataset[Sample], limit: int | None = None) -> None:
        if not isinstance(dataset, Sized):
            msg = f"{type(dataset).__name__} has no len(); DatasetSamples needs a map-style dataset"
            raise TypeError(msg)
        if limit is not None and limit < 1:
            msg = f"limit must be >= 1 or None, got {limit}"
            raise ValueError(msg)
        self.dataset = dataset
        self.limit = limit
        self._length = len(dataset) if limit is None else min(len(dataset), limit)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[Sample]:
        for index in range(self._length):
            yield self.dataset[index]
