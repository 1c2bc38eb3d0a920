"""Receptive-field arithmetic along one spatial axis, for tiling overlaps and capability claims.

A :data:`SpanMap` maps a span of *output* positions ``(lo, hi)`` (inclusive) of a layer to the span
of *input* positions they can depend on. Maps compose with :func:`chain` (layers in forward order)
and :func:`union` (parallel branches such as skips). :func:`radius` turns the map of a whole network
into the radius, in input pixels, beyond which an output pixel cannot depend on the input. Every
axis behaves the same, so one axis is enough for 2D and 3D.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

Span: TypeAlias = tuple[int, int]
"""Inclusive ``(lo, hi)`` range of positions along one axis."""

SpanMap: TypeAlias = Callable[[Span], Span]
"""Output span of a layer → the input span it depends on."""


def identity() -> SpanMap:
    """A layer that reads only the same position (1x1 convs, activations, per-channel scalings)."""
    return lambda span: span


def conv_span(radius: int) -> SpanMap:
    """A stride-1 "same" convolution of kernel ``2 * radius + 1`` (or dilated to that extent)."""
    return lambda span: (span[0] - radius, span[1] + radius)


def strided_span(kernel: int, stride: int, padding: int) -> SpanMap:
    """A strided convolution: output ``o`` reads inputs ``o * stride - padding + [0, kernel)``."""
    return lambda span: (span[0] * stride - padding, span[1] * stride - padding + kernel - 1)


def nearest_up_span(factor: int) -> SpanMap:
    """Nearest-neighbour or pixel-shuffle upsampling by ``factor``: output ``p`` reads ``p // f``."""
    return lambda span: (span[0] // factor, span[1] // factor)


def interpolated_up_span(factor: int, taps: int) -> SpanMap:
    """Interpolating upsampling by about ``factor`` (``align_corners=False``).

    Output ``p`` reads inputs within ``taps`` of ``p // factor``: 1 for (bi/tri)linear, 2 for
    bicubic. Also holds for linear resizing to ``factor * n + 1`` (U-Net decoders matching an odd
    skip size): the source coordinate then moves towards the origin by less than half a pixel.
    """
    return lambda span: (span[0] // factor - taps, span[1] // factor + taps)


def chain(*layers: SpanMap) -> SpanMap:
    """Layers applied one after the other, given in forward order (input side first)."""

    def trace(span: Span) -> Span:
        for layer in reversed(layers):
            span = layer(span)
        return span

    return trace


def union(*branches: SpanMap) -> SpanMap:
    """Parallel branches whose outputs are added or concatenated: the hull of their spans."""

    def trace(span: Span) -> Span:
        spans = [branch(span) for branch in branches]
        return min(lo for lo, _ in spans), max(hi for _, hi in spans)

    return trace


def radius(network: SpanMap, scale: int = 1, period: int | None = None) -> int:
    """Largest distance from output pixel ``p``'s home ``p // scale`` to an input it depends on.

    Args:
        network: the span map of the whole network (output → input).
        scale: output pixels per input pixel (1 for same-resolution outputs).
        period: output positions after which the pattern repeats (the product of all upsampling
            factors); ``4 * scale`` by default, enough for every network built here.
    """
    phases = 4 * scale if period is None else period
    best = 0
    for p in range(phases):
        lo, hi = network((p, p))
        home = p // scale
        best = max(best, home - lo, hi - home)
    return best
