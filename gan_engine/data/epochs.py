"""An epoch counter that DataLoader worker processes see when the main process changes it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch


@runtime_checkable
class EpochAware(Protocol):
    """A dataset whose items depend on the epoch."""

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch."""
        ...


class SharedEpoch:
    """The current epoch, kept in shared memory (persistent workers see :meth:`set` too)."""

    def __init__(self) -> None:
        self._value = torch.zeros((), dtype=torch.int64).share_memory_()  # type: ignore[no-untyped-call]

    @property
    def value(self) -> int:
        """The epoch."""
        return int(self._value.item())

    def set(self, epoch: int) -> None:
        """Select ``epoch`` (>= 0)."""
        if epoch < 0:
            msg = f"epoch must be >= 0, got {epoch}"
            raise ValueError(msg)
        self._value.fill_(epoch)


class EpochKeyed:
    """Mixin for datasets whose items are keyed by ``(seed, epoch, index)``.

    The dataset sets ``self._epoch = SharedEpoch()`` in its constructor; the sampler (or the user)
    calls :meth:`set_epoch` each epoch, and DataLoader workers see the change.
    """

    _epoch: SharedEpoch

    @property
    def epoch(self) -> int:
        """The epoch that keys the randomness of every item."""
        return self._epoch.value

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch whose crops, augmentations and noise items return."""
        self._epoch.set(epoch)
