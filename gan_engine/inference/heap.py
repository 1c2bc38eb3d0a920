"""Keep freed memory for reuse while predicting, so large CPU tensors cost no page faults (glibc).

glibc's ``malloc`` serves every allocation above 32 MiB with a fresh ``mmap`` and returns it with
``munmap`` when freed, so each of a tile's feature maps (290 MB for 64 channels of a 1064² tile) is
new memory that the kernel faults in and zeroes page by page while the convolution writes it: 18 %
of a 3×3 64→64 convolution's time on the benchmark CPU (``benchmarks/page_faults.py``). Inside
:func:`reused_heap` large allocations come from the heap and freed ones stay there for the next map
(``M_MMAP_MAX = 0``, a high ``M_TRIM_THRESHOLD``): SRResNet tiles run ~20 % faster, at the cost of
holding the peak (plus some fragmentation) until the block ends, when the settings are restored
and the heap is trimmed back to the operating system.
:class:`~gan_engine.inference.predictor.Predictor` holds it around each forward pass only: buffers
that live across tiles (rows of output) are allocated outside it, so they keep their own mappings
and leave no holes in the heap that would outlast the tile. After the first block glibc no longer
adapts its ``mmap`` threshold (any ``mallopt`` stops that), which only changes how mid-sized blocks
are served. Elsewhere (macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import platform
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
"""``mallopt`` parameters (glibc's ``malloc.h``)."""

DEFAULT_TRIM_THRESHOLD = 128 * 1024
DEFAULT_MMAP_MAX = 65536
"""glibc's defaults, restored on leaving."""

KEEP_FREED = 2**31 - 1
"""Trim threshold while inside: free memory at the heap's top is kept up to 2 GiB."""


class _Holders:
    """How many :func:`reused_heap` blocks are open (the settings are process-wide)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0


_holders = _Holders()


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The running glibc, or ``None`` on other platforms and C libraries (looked up once)."""
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return None
    libc = ctypes.CDLL(None)
    if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):
        return None
    return libc


@contextmanager
def reused_heap() -> Iterator[None]:
    """Serve large allocations from the heap and keep freed memory for reuse inside the block.

    Re-entrant and thread-safe: the settings hold from the first entry to the last exit. They are
    process-wide, so other threads' allocations in the meantime also come from the heap (which is
    harmless: they are freed as usual).
    """
    libc = _glibc()
    if libc is None:
        yield
        return
    with _holders.lock:
        if _holders.count == 0:
            libc.mallopt(M_MMAP_MAX, 0)
            libc.mallopt(M_TRIM_THRESHOLD, KEEP_FREED)
        _holders.count += 1
    try:
        yield
    finally:
        with _holders.lock:
            _holders.count -= 1
            if _holders.count == 0:
                libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
                libc.malloc_trim(0)
