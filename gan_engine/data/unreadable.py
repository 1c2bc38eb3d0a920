"""What every folder dataset does with a file it cannot read: ``fail`` (default) or ``skip``.

One policy for photos, rasters, volumes, microscopy stacks, videos, prompted and hole datasets,
set by each folder dataset's ``unreadable`` parameter:

- ``fail``: the first unreadable file stops the run with a :class:`UnreadableFileError` naming it,
  when the dataset is built (a header or volume that cannot be opened) or when a loader worker
  reads it (a file truncated or replaced during training). The error that reaches the main process
  from a worker is the one-line message with the path, not the worker's traceback.
- ``skip``: files that cannot be opened when the dataset is built are left out (one warning lists
  the first few); an item whose file cannot be read during training is replaced by the next
  readable item. Failed reads are counted across worker processes (shared memory): the count of
  each epoch is logged at the start of the next one, and :meth:`UnreadableFiles.summary` (logged
  by the DataModule at the end of fit) names the first few paths.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator, Sequence, Sized
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, Protocol, TypeAlias, TypeVar, runtime_checkable

import torch
from torch.utils.data import Dataset, get_worker_info

from gan_engine.data.epochs import EpochAware
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.params import one_of
from gan_engine.types import Sample

UnreadablePolicy: TypeAlias = Literal["fail", "skip"]
UNREADABLE_POLICIES: tuple[UnreadablePolicy, ...] = ("fail", "skip")
LISTED = 5
"""Paths named in warnings and summaries; the rest are counted."""

_LOG = logging.getLogger(__name__)
_SLOTS = 16  # per-process rows of the shared tally: the main process and up to 15 workers
_PATH_BYTES = 1024
_NEAR = 8  # neighbouring items a skipping dataset tries first
_ATTEMPTS = 32  # spread items it tries next, before giving up
_READ_ERRORS = (DataError, OSError, EOFError, ValueError, RuntimeError)
_TORCH_PREFIX = "Caught "
_TORCH_MARKER = "Original Traceback"

T = TypeVar("T")


UNREADABLE_POLICY = one_of(UNREADABLE_POLICIES)
"""The validator of a folder dataset's ``unreadable`` parameter."""


class UnreadableFileError(DataError):
    """A data file that cannot be read, named with the reader's reason.

    Args:
        message: what failed, naming the file. DataLoader workers re-raise this class in the main
            process with their traceback as the message; only its last line (the original
            message) is kept, so the user reads the path, not a worker traceback.
        path: the file (or source label), when raised by :func:`reading`.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        if message.startswith(_TORCH_PREFIX) and _TORCH_MARKER in message:
            last = message.rstrip().splitlines()[-1]
            _, found, text = last.partition(f"{type(self).__name__}: ")
            if found:
                message = f"{text} (read in a DataLoader worker)"
        super().__init__(message)
        self.path = path


@contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Turn a read error inside the block into an :class:`UnreadableFileError` naming ``path``.

    Missing optional extras (an :class:`ImportError`) and parameter errors pass unchanged: skipping
    files never hides a missing library or a wrong setting.
    """
    try:
        yield
    except (UnreadableFileError, InvalidParamError, ImportError):
        raise
    except _READ_ERRORS as error:
        name = str(path)
        reason = " ".join(str(error).split()) or type(error).__name__
        message = reason if name in reason else f"cannot read {name}: {reason}"
        raise UnreadableFileError(message, name) from error


def open_readable(
    paths: Sequence[Path],
    open_one: Callable[[Path], T],
    policy: UnreadablePolicy,
    what: str,
    tally: UnreadableFiles | None = None,
) -> list[T]:
    """Open every file with ``open_one``; unreadable ones fail or are skipped with one warning.

    Args:
        paths: the files, in order.
        open_one: opens one file (reads its header, or all of it).
        policy: ``fail`` or ``skip``.
        what: what the files are, for the warning (``"image"``, ``"NIfTI file"``).
        tally: where skipped files are counted too, for the summary at the end of fit.

    Raises:
        UnreadableFileError: a file cannot be read and ``policy`` is ``fail``, naming it.
    """
    opened: list[T] = []
    skipped: list[Path] = []
    for path in paths:
        try:
            with reading(path):
                opened.append(open_one(path))
        except UnreadableFileError:
            if policy == "fail":
                raise
            skipped.append(path)
            if tally is not None:
                tally.record(str(path))
    if skipped:
        warnings.warn(
            f"skipped {len(skipped)} unreadable {what}(s): {_listed(skipped)}",
            UserWarning,
            stacklevel=2,
        )
    return opened


def _listed(paths: Sequence[str | Path]) -> str:
    shown = ", ".join(str(path) for path in paths[:LISTED])
    more = len(paths) - LISTED
    return shown + (f" and {more} more" if more > 0 else "")


class UnreadableFiles:
    """A tally of failed reads shared by the main process and DataLoader workers.

    Counts live in a shared-memory tensor with one row per process (no two processes write the same
    row), and each row keeps the first paths it met, so the main process can count and name them.
    """

    def __init__(self) -> None:
        self._counts = torch.zeros(_SLOTS, dtype=torch.int64).share_memory_()  # type: ignore[no-untyped-call]
        self._paths = torch.zeros((_SLOTS, LISTED, _PATH_BYTES), dtype=torch.uint8).share_memory_()  # type: ignore[no-untyped-call]
        self._seen_at_epoch = 0

    def record(self, path: str) -> None:
        """Count one failed read of ``path`` in this process's row."""
        info = get_worker_info()
        row = 0 if info is None else 1 + info.id % (_SLOTS - 1)
        count = int(self._counts[row])
        if count < LISTED:
            encoded = path.encode("utf-8", "replace")[:_PATH_BYTES]
            self._paths[row, count].zero_()
            self._paths[row, count, : len(encoded)] = torch.frombuffer(
                bytearray(encoded), dtype=torch.uint8
            )
        self._counts[row] += 1

    @property
    def count(self) -> int:
        """Failed reads so far, in every process."""
        return int(self._counts.sum())

    def paths(self) -> list[str]:
        """The distinct paths recorded (the first few of each process), in order."""
        found: list[str] = []
        for row in range(_SLOTS):
            for slot in range(min(int(self._counts[row]), LISTED)):
                raw = bytes(self._paths[row, slot].tolist()).rstrip(b"\0")
                text = raw.decode("utf-8", "replace")
                if text not in found:
                    found.append(text)
        return found

    def new_since_last_call(self) -> int:
        """Failed reads since the previous call (the epoch just ended, when called per epoch)."""
        total = self.count
        new, self._seen_at_epoch = total - self._seen_at_epoch, total
        return new

    def summary(self) -> str | None:
        """One line naming the first few unreadable paths, or ``None`` when every read worked."""
        if self.count == 0:
            return None
        paths = self.paths()
        return f"skipped {self.count} unreadable read(s) in all, of: {_listed(paths)}"


@runtime_checkable
class ReportsUnreadable(Protocol):
    """A selector with an unreadable-file policy; the DataModule wraps its datasets accordingly.

    Attributes:
        unreadable: ``fail`` or ``skip``.
        unreadable_files: the tally its skipping datasets count into.
    """

    unreadable: UnreadablePolicy
    unreadable_files: UnreadableFiles


def policy_of(selector: object) -> tuple[UnreadablePolicy, UnreadableFiles]:
    """A selector's policy and tally; ``fail`` and a fresh tally for selectors without one."""
    if isinstance(selector, ReportsUnreadable):
        return selector.unreadable, selector.unreadable_files
    return "fail", UnreadableFiles()


class SkipUnreadable(Dataset[Sample]):
    """``dataset`` whose items with an unreadable file are replaced by the next readable items.

    Only :class:`UnreadableFileError` is caught (raised by the readers wrapped in :func:`reading`);
    any other error propagates. The outermost wrapper (the DataModule applies it), so a replaced
    item keeps its metadata (prompt, mask) consistent. Forwards ``set_epoch`` to ``dataset``, and
    logs the previous epoch's count of failed reads when a new epoch starts.

    Args:
        dataset: a map-style dataset of samples.
        tally: where failed reads are counted.
        what: the dataset's name in log lines (``"training"``, ``"validation"``).

    Raises:
        DataError: from ``__getitem__``, when this and the next items' files are all unreadable.
    """

    def __init__(self, dataset: Dataset[Sample], tally: UnreadableFiles, what: str) -> None:
        self.dataset = dataset
        self.tally = tally
        self.what = what

    def __len__(self) -> int:
        if not isinstance(self.dataset, Sized):
            msg = f"the dataset {type(self.dataset).__name__} has no len(); map-style datasets only"
            raise TypeError(msg)
        return len(self.dataset)

    def set_epoch(self, epoch: int) -> None:
        """Log the reads skipped since the last epoch started, and select ``epoch``."""
        new = self.tally.new_since_last_call()
        if new:
            _LOG.warning(
                "%s data: skipped %d unreadable read(s) before epoch %d (%d in all)",
                self.what,
                new,
                epoch,
                self.tally.count,
            )
        if isinstance(self.dataset, EpochAware):
            self.dataset.set_epoch(epoch)

    def __getitem__(self, index: int) -> Sample:
        length = len(self)
        failures: list[str] = []
        for offset in _offsets(length):
            try:
                return self.dataset[(index + offset) % length]
            except UnreadableFileError as error:
                self.tally.record(error.path or str(error))
                failures.append(str(error))
        msg = f"{len(failures)} item(s) tried in turn have unreadable files, last: {failures[-1]}"
        raise DataError(msg)


def _offsets(length: int) -> list[int]:
    """Offsets of the items to try: the next few, then some spread over the dataset.

    The next items are other files in round-robin datasets; the spread ones get away from the many
    tiles of one large file.
    """
    stride = max(1, length // _ATTEMPTS)
    near = range(min(length, _NEAR))
    spread = (k * stride for k in range(1, _ATTEMPTS))
    return list(dict.fromkeys(offset % length for offset in (*near, *spread)))


def guard(
    dataset: Dataset[Sample], policy: UnreadablePolicy, tally: UnreadableFiles, what: str
) -> Dataset[Sample]:
    """``dataset`` itself under ``fail``; wrapped in :class:`SkipUnreadable` under ``skip``."""
    return dataset if policy == "fail" else SkipUnreadable(dataset, tally, what)
