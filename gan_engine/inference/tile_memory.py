"""The default tile chosen from a memory budget, with each model's memory measured, not tabulated.

The peak memory of one tile's forward pass is measured on the ``meta`` device: the network runs on
tensors that have shapes but no data, so nothing is computed or allocated, while a
:class:`~torch.utils._python_dispatch.TorchDispatchMode` adds up the bytes of the storages alive
after each operator (inputs, feature maps, in-place and banded forms exactly as a real run keeps
them) and records the largest sum. A probe of a 1722² tile of RRDBNet takes about a second.

The tile is the largest whose measured peak (times the batch) plus the weights fits the budget,
up to the fixed default core (:data:`DEFAULT_CORE`) plus the overlap on each side: larger tiles
only save a little repeated context. What a single operator allocates and frees inside itself
(convolution workspaces) is not seen, nor are the input and output rows the tiler streams; the
budget's default share of free memory leaves room for them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import torch
from torch import Tensor, nn
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from gan_engine.inference.budget import MemoryBudget, format_bytes

DEFAULT_CORE: dict[int, int] = {2: 1024, 3: 64}
"""Largest tile core edge in input pixels, by the model's spatial dims; the tile adds the overlap on
each side, so at most ``((core + 2 * overlap) / core)**d - 1`` of the work is repeated in overlaps
(16 % for SRResNet's 40-pixel receptive field in 2D; BENCHMARKS.md)."""

MIN_CORE: dict[int, int] = {2: 16, 3: 8}
"""Smallest tile core the budget may shrink to; below it overlaps would be nearly all the work."""

MIN_TILE: dict[int, int] = {2: 64, 3: 16}
"""Smallest tile when the overlap is reduced to fit the budget (then a quarter of the tile)."""

STEP: dict[int, int] = {2: 16, 3: 4}
"""Tile edges tried are multiples of this (and of the model's input multiple)."""

PEAK_OVERHEAD = 2.0
"""Peak RSS per measured byte assumed when fitting the budget: the count misses what one operator
allocates and frees inside itself (oneDNN's reordered copies of a convolution's input and output)
and the allocator's slack; the benchmark CPU's runs peaked at up to twice the count (BENCHMARKS.md)."""

MAX_PROBES = 8
"""Tile sizes measured at most before settling on the largest that fitted."""


class LiveStorageBytes(TorchDispatchMode):  # type: ignore[no-untyped-call]  # torch leaves it untyped
    """Counts the bytes of tensor storages alive after each operator, and their peak.

    Storages created while the mode is active are tracked with weak references, so a feature map
    counts from the operator that writes it until its last tensor is freed; in-place operators and
    views add nothing. Works on any device, ``meta`` included.
    """

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._live: dict[int, tuple[StorageWeakRef, int]] = {}
        self.current = 0
        self.peak = 0

    def __torch_dispatch__(
        self,
        func: Any,
        types: Sequence[type],
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        """Run ``func``, then count the storages of its outputs that are new."""
        out = func(*args, **(kwargs or {}))
        self._forget_freed()  # before counting the outputs: freed storages made room for them
        for item in tree_leaves(out):
            if isinstance(item, Tensor):
                storage = item.untyped_storage()
                key = storage._cdata
                if key not in self._live:
                    ref = StorageWeakRef(storage)  # type: ignore[no-untyped-call]
                    self._live[key] = (ref, storage.nbytes())
                    self.current += storage.nbytes()
        self.peak = max(self.peak, self.current)
        return out

    def _forget_freed(self) -> None:
        expired = [key for key, (ref, _) in self._live.items() if ref.expired()]  # type: ignore[no-untyped-call]
        for key in expired:
            self.current -= self._live.pop(key)[1]


def forward_peak_bytes(model: nn.Module, shape: Sequence[int]) -> int:
    """Peak bytes of live tensors while ``model`` runs on an input of ``shape``, input included.

    Measured on the ``meta`` device, on a copy of ``model`` whose parameters and buffers are meta
    tensors of the same shapes (``model`` itself is untouched and nothing is copied but its
    structure), under ``torch.inference_mode``.

    Raises:
        NotImplementedError, RuntimeError: an operator of ``model`` cannot run on ``meta``
            (e.g. it reads tensor values).
    """
    memo: dict[int, Any] = {
        id(tensor): torch.empty_like(tensor, device="meta")
        for tensor in (*model.parameters(), *model.buffers())
    }
    ghost = copy.deepcopy(model, memo)
    counter = LiveStorageBytes()
    with torch.inference_mode(), counter:
        lr = torch.empty(tuple(shape), dtype=_input_dtype(model), device="meta")
        output = ghost(lr)
        del lr, output
    return counter.peak


def _input_dtype(model: nn.Module) -> torch.dtype:
    """The dtype of ``model``'s first floating-point parameter (the default dtype without one)."""
    floats = (tensor.dtype for tensor in model.parameters() if tensor.is_floating_point())
    return next(floats, torch.get_default_dtype())


def weight_bytes(model: nn.Module) -> int:
    """Bytes of ``model``'s parameters and buffers."""
    tensors = (*model.parameters(), *model.buffers())
    return sum(tensor.numel() * tensor.element_size() for tensor in tensors)


@attrs.frozen(kw_only=True)
class TileChoice:
    """The default tile and why.

    Attributes:
        tile: tile edge in input pixels, context included.
        overlap: context on each inner side of the tile (part of ``tile``); less than the
            receptive field only when no exact tile fits the budget.
        exact: ``overlap`` is the requested one (the receptive field by default).
        peak: measured peak bytes of one forward pass of the batch of tiles (``None``: the probe
            failed and ``tile`` is the fixed default).
        weights: bytes of the model's weights.
        budget: the budget the tile was chosen for.
        overhead: memory assumed per measured byte (``overhead * peak + weights`` must fit).
        capped: ``tile`` is the largest default (the budget allows more).
        fits: ``overhead * peak + weights`` is within the budget (false only when even the smallest tile
            does not fit, or the probe failed).
        note: why the probe failed, if it did.
    """

    tile: int
    overlap: int
    exact: bool
    peak: int | None
    weights: int
    budget: MemoryBudget
    overhead: float
    capped: bool
    fits: bool
    note: str = ""

    @property
    def reason(self) -> str:
        """One line for the user: the tile, its measured memory and the budget."""
        context = f"{self.overlap} overlap" + (
            "" if self.exact else ", reduced: blended, not exact"
        )
        head = f"tile {self.tile} px ({self.tile - 2 * self.overlap} + 2 x {context})"
        budget = f"budget {format_bytes(self.budget.bytes)} ({self.budget.reason})"
        if self.peak is None:
            return f"{head}: the fixed default, memory not measured ({self.note}); {budget}"
        used = (
            f"{format_bytes(self.peak)} activations (x{self.overhead:g} for operator scratch) + "
            f"{format_bytes(self.weights)} weights"
        )
        if not self.fits:
            why = "the smallest tile, over the"
        elif self.capped:
            why = "the largest default tile, within the"
        elif not self.exact:
            why = "no tile with the full overlap fits the"
        else:
            why = "the largest tile within the"
        return f"{head}: {used}, {why} {budget}"


def choose_tile(
    model: nn.Module,
    *,
    in_channels: int,
    spatial_dims: int,
    overlap: int,
    budget: MemoryBudget,
    multiple: int = 1,
    batch_size: int = 1,
    reduce_overlap: bool = True,
    overhead: float = PEAK_OVERHEAD,
    measure: Callable[[nn.Module, Sequence[int]], int] = forward_peak_bytes,
) -> TileChoice:
    """The largest tile edge whose measured forward peak (times ``overhead``) and weights fit ``budget``.

    Tiles run from :data:`MIN_CORE` to :data:`DEFAULT_CORE` plus ``2 * overlap``, in steps of
    :data:`STEP` (rounded to ``multiple``). The largest is measured first; when it does not fit, the
    next guess assumes memory proportional to the tile's pixels, is measured, and so on until the
    largest tile that fits and the smallest that does not are within an eighth of each other (at
    most :data:`MAX_PROBES` measurements); the largest that fitted wins.

    When not even the smallest tile with the full ``overlap`` fits (deep receptive fields in 3D,
    small budgets) and ``reduce_overlap``, smaller tiles down to :data:`MIN_TILE` are tried with a
    quarter of the tile as overlap: the tiles are then blended and no longer exact.

    Args:
        model: the network as the tiler calls it: ``[B, in_channels, *tile] -> output``.
        in_channels: channels of its input (the hole mask included for hole-filling models).
        spatial_dims: 2 or 3.
        overlap: context on each side of the core (the receptive field, for exact tiling).
        budget: bytes allowed for the weights and one forward pass.
        multiple: tile edges and overlaps must be multiples of this.
        batch_size: tiles per forward pass.
        reduce_overlap: allow tiles with less than ``overlap`` of context (blended) to fit.
        overhead: memory used per measured byte (:data:`PEAK_OVERHEAD`): a tile fits when
            ``overhead * peak + weights`` is within the budget.
        measure: peak bytes of one forward pass at an input shape (the meta-device probe).
    """
    step = math.lcm(STEP[spatial_dims], multiple)

    def edge(core: int) -> int:
        return -(-(core + 2 * overlap) // step) * step

    largest, smallest_exact = edge(DEFAULT_CORE[spatial_dims]), edge(MIN_CORE[spatial_dims])
    smallest = smallest_exact
    if reduce_overlap:
        smallest = min(smallest_exact, -(-MIN_TILE[spatial_dims] // step) * step)

    def overlap_of(tile: int) -> int:
        if tile >= smallest_exact:
            return overlap
        return min(overlap, tile // 4 // multiple * multiple)

    weights = weight_bytes(model)
    allowed = (budget.bytes - weights) / overhead

    def choice(tile: int, peak: int | None, *, fits: bool, note: str = "") -> TileChoice:
        return TileChoice(
            tile=tile,
            overlap=overlap_of(tile),
            exact=overlap_of(tile) == overlap,
            peak=peak,
            weights=weights,
            budget=budget,
            overhead=overhead,
            capped=tile == largest and fits,
            fits=fits,
            note=note,
        )

    def peak_at(tile: int) -> int:
        return measure(model, (batch_size, in_channels, *(tile,) * spatial_dims))

    try:
        peaks = {largest: peak_at(largest)}
    except (NotImplementedError, RuntimeError) as error:
        note = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        return choice(largest, None, fits=False, note=note)
    while len(peaks) < MAX_PROBES:
        fitting = [size for size, peak in peaks.items() if peak <= allowed]
        over = [size for size in peaks if size not in fitting]
        low = max(fitting, default=smallest - step)
        high = min(over, default=largest + step)
        if high - low <= max(step, low // 8) or low == largest:  # within an eighth is enough
            break
        # memory grows about with the tile's pixels: aim at the budget, inside the bracket
        ratio = max(allowed, 1) / peaks[high]
        guess = int(high * ratio ** (1 / spatial_dims)) // step * step
        tile = min(max(guess, low + step, smallest), high - step)
        peaks[tile] = peak_at(tile)
    fitting = [size for size, peak in peaks.items() if peak <= allowed]
    if fitting:
        best = max(fitting)
        return choice(best, peaks[best], fits=True)
    if smallest not in peaks:
        peaks[smallest] = peak_at(smallest)
    return choice(smallest, peaks[smallest], fits=peaks[smallest] <= allowed)
