"""Per-file intensity handling: from stored values to ``[0, data_range]`` sample units.

Photos have a fixed range (0–255), MRI has none: its values are relative and differ from scan to scan.
Three modes, chosen per dataset:

- ``raw``: stored values as they are, clipped to ``[0, data_range]``; ``data_range`` defaults to the
  dtype's range (255 for uint8, 65535 for uint16) and must be given for other dtypes.
- ``percentile``: per file and channel, the ``[low, high]`` percentiles of the file's own values
  map linearly to ``[0, data_range]`` (clipped); for data without a fixed scale (MRI).
- ``window``: one fixed window ``[low, high]`` in stored units maps to ``[0, data_range]`` for every
  file (CT Hounsfield windows, known detector ranges).

``data_range`` (1.0 by default for ``percentile`` and ``window``) is what metrics use as the peak
value. Statistics are taken from the whole file, before any train/validation split of it, so every
part of one file shares one mapping; apply the same mapping to LR inputs at inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from gan_engine.data.sources import ArraySource, Box, NativeArray
from gan_engine.errors import DataError

IntensityMode: TypeAlias = Literal["raw", "percentile", "window"]
INTENSITY_MODES: tuple[IntensityMode, ...] = ("raw", "percentile", "window")

FloatArray: TypeAlias = npt.NDArray[np.float32]

_NATIVE_RANGES = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}
_MAX_VALUES = 2_000_000  # per channel: enough for stable percentiles, cheap on big volumes
_CHUNK_VOXELS = 8_000_000


def native_range(dtype: np.dtype[Any]) -> float | None:
    """The full range of an unsigned 8- or 16-bit dtype; ``None`` for dtypes without a fixed one."""
    return _NATIVE_RANGES.get(np.dtype(dtype).newbyteorder("="))


@attrs.frozen
class IntensityMap:
    """``v' = clip((v - low[c]) / (high[c] - low[c]), 0, 1) * data_range`` per channel ``c``.

    Attributes:
        low: stored value mapped to 0, per channel.
        high: stored value mapped to ``data_range``, per channel.
        data_range: the top of the sample range.
    """

    low: tuple[float, ...]
    high: tuple[float, ...]
    data_range: float

    def apply(self, values: NativeArray) -> FloatArray:
        """Map ``[C, *S]`` stored values to float32 sample units in ``[0, data_range]``."""
        out = values.astype(np.float32)
        if len(self.low) not in (1, out.shape[0]):
            msg = f"intensity map for {len(self.low)} channels applied to shape {out.shape}"
            raise ValueError(msg)
        shape = (-1,) + (1,) * (out.ndim - 1)
        low = np.asarray(self.low, dtype=np.float64).reshape(shape)
        high = np.asarray(self.high, dtype=np.float64).reshape(shape)
        if self.is_identity:
            return np.clip(out, 0.0, self.data_range, out=out)
        scaled = (out - low) * (self.data_range / (high - low))
        return np.clip(scaled, 0.0, self.data_range).astype(np.float32)

    @property
    def is_identity(self) -> bool:
        """Whether values are kept as stored (``raw``): only clipped to ``[0, data_range]``."""
        return all(lo == 0.0 for lo in self.low) and all(hi == self.data_range for hi in self.high)


def sample_values(source: ArraySource) -> list[FloatArray]:
    """Up to about two million evenly strided values per channel, read chunk by chunk."""
    channels, *spatial = source.shape
    voxels = int(np.prod(spatial))
    step = max(1, voxels // _MAX_VALUES)
    per_slice = max(1, voxels // spatial[0])
    rows = max(1, _CHUNK_VOXELS // per_slice)
    parts: list[list[FloatArray]] = [[] for _ in range(channels)]
    for start in range(0, spatial[0], rows):
        box: Box = ((start, min(start + rows, spatial[0])), *((0, size) for size in spatial[1:]))
        chunk = source.read(box)
        for channel in range(channels):
            parts[channel].append(chunk[channel].reshape(-1)[::step].astype(np.float32))
    return [np.concatenate(values) for values in parts]


def fit_intensity(
    source: ArraySource,
    mode: IntensityMode,
    *,
    data_range: float | None,
    percentiles: Sequence[float] = (0.5, 99.5),
    window: Sequence[float] | None = None,
) -> IntensityMap:
    """The :class:`IntensityMap` of one file for ``mode`` (see the module docs).

    Raises:
        DataError: ``raw`` data whose dtype has no fixed range and no ``data_range``, or a file
            whose percentiles coincide (a constant channel), naming the file.
    """
    channels = source.shape[0]
    if mode == "raw":
        top = data_range if data_range is not None else native_range(source.dtype)
        if top is None:
            msg = (
                f"{source.label} stores {source.dtype} values, which have no fixed range: set "
                "data_range, or use intensity 'percentile' or 'window'"
            )
            raise DataError(msg)
        return IntensityMap(low=(0.0,), high=(top,), data_range=top)
    top = 1.0 if data_range is None else data_range
    if mode == "window":
        if window is None or len(window) != 2:
            msg = f"intensity 'window' needs window: [low, high], got {window}"
            raise ValueError(msg)
        return IntensityMap(low=(float(window[0]),), high=(float(window[1]),), data_range=top)
    lows, highs = [], []
    for channel, values in enumerate(sample_values(source)):
        if np.isnan(values).any():
            msg = f"{source.label} has NaN values (channel {channel}); fill or mask them first"
            raise DataError(msg)
        low, high = (float(v) for v in np.percentile(values, list(percentiles)))
        if not high > low:
            msg = (
                f"{source.label}: channel {channel} has percentiles {list(percentiles)} both at "
                f"{low:g} (a constant image?); cannot scale it"
            )
            raise DataError(msg)
        lows.append(low)
        highs.append(high)
    if len(lows) != channels:  # pragma: no cover - sample_values returns one array per channel
        msg = f"expected {channels} channels of statistics, got {len(lows)}"
        raise RuntimeError(msg)
    return IntensityMap(low=tuple(lows), high=tuple(highs), data_range=top)


class MappedSource:
    """A source read through an :class:`IntensityMap`: float32 values in ``[0, data_range]``."""

    def __init__(self, source: ArraySource, intensity: IntensityMap) -> None:
        self.source = source
        self.intensity = intensity

    @property
    def label(self) -> str:
        """The underlying source's label."""
        return self.source.label

    @property
    def shape(self) -> tuple[int, ...]:
        """The underlying shape ``(C, *S)``."""
        return self.source.shape

    @property
    def dtype(self) -> np.dtype[Any]:
        """Always float32."""
        return np.dtype(np.float32)

    def read(self, box: Box) -> NativeArray:
        """The window, mapped to sample units."""
        return self.intensity.apply(self.source.read(box))
