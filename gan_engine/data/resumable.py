"""A training loader that resumes in the middle of an epoch exactly where it stopped.

Lightning saves a loader's ``state_dict()`` in every checkpoint and hands it back through
``load_state_dict()`` before the resumed epoch starts. :class:`ResumableDataLoader` records how many
batches the current epoch has served; on resume it asks its :class:`ResumableBatchSampler` to pass
over that many batches of the same epoch's order, which costs index lists only, not data loading.
Datasets that draw crops from ``(seed, epoch, index)`` then serve the remaining batches bit for bit
as the uninterrupted run did. Under DDP Lightning rebuilds the batch sampler around its distributed
sampler with the same arguments, so each rank passes over its own served batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from torch.utils.data import BatchSampler, DataLoader, Sampler


class ResumableBatchSampler(BatchSampler):
    """A :class:`BatchSampler` whose next pass can start after its first ``n`` batches."""

    def __init__(
        self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool
    ) -> None:
        super().__init__(sampler, batch_size, drop_last)
        self._skip = 0

    def skip_next_pass(self, batches: int) -> None:
        """Leave out the first ``batches`` batches of the next pass (one pass only)."""
        if batches < 0:
            msg = f"cannot skip a negative number of batches ({batches})"
            raise ValueError(msg)
        self._skip = batches

    def __iter__(self) -> Iterator[list[int]]:
        skip, self._skip = self._skip, 0
        for position, batch in enumerate(super().__iter__()):
            if position >= skip:
                yield batch


def _epoch_of(batch_sampler: object) -> int | None:
    """The epoch Lightning last gave the loader's sampler (``None`` if it takes no epochs)."""
    epoch = getattr(getattr(batch_sampler, "sampler", None), "epoch", None)
    return epoch if isinstance(epoch, int) else None


class ResumableDataLoader(DataLoader[Any]):
    """A :class:`DataLoader` whose state is the epoch and the number of batches it has served.

    Build it with a :class:`ResumableBatchSampler` as ``batch_sampler``. ``len()`` stays the whole
    epoch, as Lightning counts the resumed batches itself.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._epoch: int | None = None
        self._served = 0
        self._resume_at: tuple[int | None, int] | None = None

    def state_dict(self) -> dict[str, int | None]:
        """The epoch being served and how many of its batches went out."""
        return {"epoch": self._epoch, "served": self._served}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Make the next pass continue ``state``'s epoch after its served batches.

        Applies only if that pass is the same epoch (a checkpoint written after an epoch's last
        batch is followed by a fresh epoch) and the epoch was not complete.
        """
        served = state.get("served")
        epoch = state.get("epoch")
        if (
            not isinstance(served, int)
            or served < 0
            or (epoch is not None and not isinstance(epoch, int))
        ):
            msg = f"the checkpoint's training-loader state {state!r} is not an epoch and a batch count"
            raise ValueError(msg)
        self._resume_at = (epoch, served)

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]  # a counting generator, see _serve
        return self._serve()

    def _serve(self) -> Iterator[Any]:
        # Lazy on purpose: Lightning calls iter() once while setting up, before it sets the
        # sampler's epoch, and again for the epoch itself; only a pass that runs may use the resume
        # point, once the epoch is known.
        self._epoch = _epoch_of(self.batch_sampler)
        self._served = 0
        resume_at, self._resume_at = self._resume_at, None
        if resume_at is not None:
            epoch, served = resume_at
            if epoch == self._epoch and 0 < served < len(self):
                if not isinstance(self.batch_sampler, ResumableBatchSampler):
                    msg = (
                        "resuming mid-epoch needs a ResumableBatchSampler, got "
                        f"{type(self.batch_sampler).__name__}"
                    )
                    raise TypeError(msg)
                self.batch_sampler.skip_next_pass(served)
                self._served = served
        for batch in super().__iter__():
            self._served += 1
            yield batch
