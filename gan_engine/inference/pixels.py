"""The pixel path around the network: reading tiles in, writing finished bands out.

:class:`TileReader` reads a window (of one frame), fills nodata/NaN pixels with local valid means and
returns float32; :class:`BandWriter` converts finished output to the input's dtype (rounded and clipped
for integers), puts nodata back where the input pixel was invalid and writes it to the sink.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import Tensor

from gan_engine.inference.holes import HoleSource
from gan_engine.inference.nodata import (
    fill_invalid,
    invalid_mask,
    may_hold_invalid,
    upsample_mask,
)
from gan_engine.inference.values import restore_dtype
from gan_engine.io.base import OutputLayout, RasterSink, RasterSource, Window


class TileReader:
    """Reads a window of ``frame`` (``None``: no frame axis) as float32 ``[C, *w]``, invalid pixels filled.

    With ``holes`` the tile is ``[C + 1, *w]``: the hole mask (1 = missing) as its last channel.
    """

    def __init__(
        self,
        source: RasterSource,
        frame: int | None,
        fill_radius: int,
        holes: HoleSource | None = None,
    ) -> None:
        self.source = source
        self.prefix = () if frame is None else (slice(frame, frame + 1),)
        self.fill_radius = fill_radius
        self.holes = holes

    def __call__(self, window: Window) -> Tensor:
        """The tile at ``window`` (spatial axes of one frame), ready for the network."""
        raw = self.source.read((*self.prefix, *window))
        if self.prefix:
            raw = raw[:, 0]
        x = torch.from_numpy(np.asarray(raw, dtype=np.float32))
        invalid = invalid_mask(raw, self.source.nodata)
        if invalid is not None:
            x = fill_invalid(x, torch.from_numpy(invalid), self.fill_radius)
        if self.holes is not None:
            x = torch.cat([x, self.holes(window)])
        return x


class BandWriter:
    """Writes finished output ``[C_out, *w]`` of ``frame`` to ``sink`` in the layout's dtype, with nodata.

    Changes the values it is given in place (the tiler does not use them again). With ``holes``,
    pixels inside holes keep the model's values even where the input was nodata: they were filled.
    """

    def __init__(
        self,
        source: RasterSource,
        sink: RasterSink,
        frame: int | None,
        layout: OutputLayout,
        scale: int,
        holes: HoleSource | None = None,
    ) -> None:
        self.source = source
        self.holes = holes
        self.sink = sink
        self.prefix = () if frame is None else (slice(frame, frame + 1),)
        self.layout = layout
        self.scale = scale
        self.check_invalid = may_hold_invalid(source.dtype, source.nodata)
        self.fill_value = math.nan if layout.nodata is None else layout.nodata

    def __call__(self, window: Window, values: Tensor) -> None:
        """Write ``values`` (float32, output pixels of one frame) at ``window``."""
        out = restore_dtype(values.numpy(), self.layout.dtype, in_place=True)
        if self.check_invalid:
            self._restore_nodata(window, out)
        if self.prefix:
            out = out[:, None]
        self.sink.write((*self.prefix, *window), out)

    def _restore_nodata(self, window: Window, out: npt.NDArray[Any]) -> None:
        s = self.scale
        lr_window = tuple(slice(span.start // s, span.stop // s) for span in window)
        raw = self.source.read((*self.prefix, *lr_window))
        if self.prefix:
            raw = raw[:, 0]
        invalid = invalid_mask(raw, self.source.nodata)
        if invalid is None:
            return
        if self.holes is not None:
            invalid = invalid & ~(self.holes(lr_window).numpy() > 0.5)
        mask = upsample_mask(invalid, s)
        if mask.shape[0] != out.shape[0]:
            mask = np.broadcast_to(mask.any(axis=0, keepdims=True), out.shape)
        out[mask] = self.fill_value
