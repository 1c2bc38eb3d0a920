"""Run an upsampling function over bands of its input, to bound the memory of its large outputs.

The last layers of an SR network (sub-pixel or nearest-neighbour stages, HR convolutions) work on
maps ``scale**d`` times larger than the body's, with up to ``4 * C`` channels: for a 1024² tile of
SRResNet x4 the second x2 stage's convolution alone writes a 4 GB map. Without autograd nothing
needs those maps at once, so :func:`banded` computes the function on bands along the first spatial
axis (H in 2D, D in 3D), each with ``halo`` input rows of context either side, and copies each
band's exact centre into the output. The result equals the unbanded call when ``halo`` covers the
function's receptive-field radius (in input pixels): rows inside the image read real context, rows
on the image's border the same zero padding as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from gan_engine.nn.layers import channels_last_format

BAND_PIXELS = 1 << 17
"""Input pixels (over the non-banded axes and the batch) of one band, before its halo."""

HALO_FRACTION = 8
"""Bands are at least this many halos high, so context rows cost at most 2/8 of a band."""


def _memory_format(x: Tensor) -> torch.memory_format:
    """``x``'s layout, for an output that should keep it."""
    if x.ndim in (4, 5):
        layout = channels_last_format(2 if x.ndim == 4 else 3)
        if x.is_contiguous(memory_format=layout) and not x.is_contiguous():
            return layout
    return torch.contiguous_format


def band_rows(x: Tensor, halo: int, band_pixels: int | None = None) -> int:
    """Rows of ``x``'s first spatial axis per band, at least ``8 * halo``.

    Enough rows for ``band_pixels`` input pixels (default :data:`BAND_PIXELS`) over the other axes
    and the batch.
    """
    pixels = BAND_PIXELS if band_pixels is None else band_pixels
    plane = math.prod(x.shape[3:]) * x.shape[0]
    return max(math.ceil(pixels / max(plane, 1)), HALO_FRACTION * halo, 1)


def banded(
    fn: Callable[[Tensor], Tensor],
    x: Tensor,
    *,
    scale: int,
    halo: int,
    band_pixels: int | None = None,
) -> Tensor:
    """``fn(x)`` computed band by band along ``x``'s first spatial axis (axis 2).

    Args:
        fn: maps ``[B, C, L, *S]`` to ``[B, C', L * scale, *S']``, shift-equivariant along axis 2
            (moving the input by one row moves the output by ``scale`` rows), e.g. sub-pixel
            stages and "same"-padded convolutions.
        x: the input ``[B, C, L, *S]``.
        scale: output rows per input row.
        halo: input rows of context either side of a band: at least ``fn``'s receptive-field
            radius in input pixels, or the result differs near band edges.
        band_pixels: input pixels per band (see :func:`band_rows`).

    Returns:
        ``fn(x)``, in ``fn``'s memory format. With one band (a short axis) simply ``fn(x)``.
    """
    if scale < 1 or halo < 0:
        msg = f"banded needs scale >= 1 and halo >= 0, got scale={scale}, halo={halo}"
        raise ValueError(msg)
    length = x.shape[2]
    rows = band_rows(x, halo, band_pixels)
    if length <= rows + 2 * halo:
        return fn(x)
    count = math.ceil(length / rows)
    rows = math.ceil(length / count)  # even bands: no thin last one
    spans = [(start, min(start + rows, length)) for start in range(0, length, rows)]
    first, layout = _band(fn, x, spans[0], scale, halo)
    output = torch.empty(
        (*first.shape[:2], length * scale, *first.shape[3:]),
        dtype=first.dtype,
        device=first.device,
        memory_format=layout,
    )
    for index, (start, stop) in enumerate(spans):
        centre = first if index == 0 else _band(fn, x, (start, stop), scale, halo)[0]
        output.narrow(2, start * scale, (stop - start) * scale).copy_(centre)
    return output


def _band(
    fn: Callable[[Tensor], Tensor], x: Tensor, span: tuple[int, int], scale: int, halo: int
) -> tuple[Tensor, torch.memory_format]:
    """``fn``'s output rows for input rows ``span`` and the layout ``fn`` gave them.

    The band is read with ``halo`` rows of context either side (fewer at the input's edges).
    """
    start, stop = span
    low, high = max(start - halo, 0), min(stop + halo, x.shape[2])
    band = fn(x.narrow(2, low, high - low))
    if band.shape[2] != (high - low) * scale:
        msg = f"banded: fn turned {high - low} rows into {band.shape[2]}, not {scale}x as many"
        raise ValueError(msg)
    centre = band.narrow(2, (start - low) * scale, (stop - start) * scale)
    return centre, _memory_format(band)
