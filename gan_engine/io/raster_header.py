"""What a raster file holds, learnt from its header, and the pixel windows read from it.

Rasters are 2D multiband arrays ``[C, H, W]`` (GeoTIFF, ``.npy``, ``.npz``). Headers are probed once,
when a dataset selector is built, so a bad file fails before training; reads then fetch one window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

NativeArray: TypeAlias = npt.NDArray[Any]
"""Pixels ``[C, h, w]`` in the dtype the file stores (uint8, uint16, int16, float32, …)."""

GeoTransform: TypeAlias = tuple[float, float, float, float, float, float]
"""Affine coefficients ``(a, b, c, d, e, f)``: ``x = a·col + b·row + c``, ``y = d·col + e·row + f``."""


@attrs.frozen
class PixelWindow:
    """A rectangle of pixels: ``rows [top, top + height)``, ``cols [left, left + width)``."""

    top: int
    left: int
    height: int
    width: int

    def scaled_down(self, factor: int) -> PixelWindow:
        """The same area at ``1 / factor`` resolution (every field must be a multiple of ``factor``)."""
        fields = (self.top, self.left, self.height, self.width)
        if any(value % factor for value in fields):
            msg = f"window {self} is not aligned to the factor {factor}"
            raise ValueError(msg)
        return PixelWindow(*(value // factor for value in fields))


@attrs.frozen
class RasterHeader:
    """A raster's geometry, dtype and georeferencing, read without decoding pixels.

    Attributes:
        path: the file.
        bands: number of bands (channels).
        height: rows.
        width: columns.
        dtype: numpy dtype name of the stored values (``"uint16"``, ``"float32"``, …).
        nodata: the value marking missing pixels (from the file, or a dataset's override).
        crs: coordinate reference system (``"EPSG:32633"`` or WKT); ``None`` when absent.
        transform: pixel-to-map affine transform; ``None`` when absent.
    """

    path: Path
    bands: int
    height: int
    width: int
    dtype: str
    nodata: float | None = None
    crs: str | None = None
    transform: GeoTransform | None = None

    @property
    def size_text(self) -> str:
        """``"WxH"`` for messages."""
        return f"{self.width}x{self.height}"

    @property
    def is_integer(self) -> bool:
        """Whether values are integers (and LR made from them is rounded)."""
        return bool(np.issubdtype(np.dtype(self.dtype), np.integer))

    def value_bounds(self) -> tuple[float, float]:
        """The range the dtype can hold: ``(0, 65535)`` for uint16, ``(-inf, inf)`` for floats."""
        dtype = np.dtype(self.dtype)
        if np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            return float(info.min), float(info.max)
        return float("-inf"), float("inf")

    def window_transform(self, window: PixelWindow) -> GeoTransform | None:
        """The affine transform of ``window``'s top-left pixel (``None`` without a transform)."""
        if self.transform is None:
            return None
        a, b, c, d, e, f = self.transform
        col, row = window.left, window.top
        return (a, b, c + a * col + b * row, d, e, f + d * col + e * row)

    def full_window(self) -> PixelWindow:
        """The whole raster."""
        return PixelWindow(0, 0, self.height, self.width)

    def check_window(self, window: PixelWindow) -> None:
        """Raise ``ValueError`` unless ``window`` lies inside the raster."""
        inside = (
            window.top >= 0
            and window.left >= 0
            and window.height > 0
            and window.width > 0
            and window.top + window.height <= self.height
            and window.left + window.width <= self.width
        )
        if not inside:
            msg = f"window {window} is outside raster {self.path} ({self.size_text})"
            raise ValueError(msg)


def format_transform(transform: GeoTransform | None) -> str:
    """``"a,b,c,d,e,f"`` with every float written exactly (``repr``); ``""`` for ``None``."""
    return "" if transform is None else ",".join(repr(float(value)) for value in transform)


def parse_transform(text: str) -> GeoTransform | None:
    """Invert :func:`format_transform`."""
    if not text:
        return None
    values = tuple(float(part) for part in text.split(","))
    if len(values) != 6:
        msg = f"expected 6 comma-separated numbers, got {text!r}"
        raise ValueError(msg)
    return values[0], values[1], values[2], values[3], values[4], values[5]
