"""A small line-chart renderer writing SVG text: byte-for-byte reproducible and readable in a diff.

SVG rather than PNG so that ``gan-engine docs --check`` can compare plots exactly on any machine: no
font rasteriser, image library or compression level can change a byte. Markdown viewers (GitHub,
GitLab, editors) show SVG images like PNG ones.
"""

from __future__ import annotations

import math
from html import escape

import attrs

WIDTH, HEIGHT = 720, 340
LEFT, RIGHT, TOP, BOTTOM = 70, 200, 44, 54
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
"""Okabe-Ito colours: distinguishable with the common colour-vision deficiencies."""


@attrs.frozen
class Series:
    """One curve: ``(x, y)`` points in data units, drawn in order."""

    label: str
    points: tuple[tuple[float, float], ...]
    dashed: bool = False


@attrs.frozen
class Marker:
    """A labelled vertical line at ``x`` (a phase boundary such as the end of pretraining)."""

    x: float
    label: str


@attrs.frozen
class Chart:
    """A line chart: title, axis labels, axis ranges, curves and markers."""

    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float] = (0.0, 1.0)
    markers: tuple[Marker, ...] = ()


def nice_step(span: float, most: int = 8) -> float:
    """The smallest step of 1, 2, 2.5 or 5 times a power of ten giving at most ``most`` intervals."""
    base = 10.0 ** math.floor(math.log10(span / most)) if span > 0 else 1.0
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if span / (base * factor) <= most:
            return base * factor
    return base * 10.0


def ticks(low: float, high: float) -> list[float]:
    """Evenly spaced round values covering ``[low, high]``."""
    step = nice_step(high - low)
    first = math.ceil(low / step - 1e-9)
    count = math.floor(high / step + 1e-9) - first + 1
    return [round((first + index) * step, 12) for index in range(count)]


def _label(value: float) -> str:
    return f"{value:g}"


def simplify(
    points: list[tuple[float, float]], tolerance: float = 0.05
) -> list[tuple[float, float]]:
    """Ramer-Douglas-Peucker: the fewest points keeping the polyline within ``tolerance`` pixels."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        worst, where = 0.0, -1
        for index in range(first + 1, last):
            x, y = points[index]
            distance = abs((x - x0) * (y1 - y0) - (y - y0) * (x1 - x0)) / length
            if distance > worst:
                worst, where = distance, index
        if worst > tolerance:
            keep[where] = True
            stack += [(first, where), (where, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


class _Frame:
    """Maps data coordinates to pixels inside the plot area."""

    def __init__(self, chart: Chart) -> None:
        self.x0, self.x1 = chart.x_range
        self.y0, self.y1 = chart.y_range

    def x(self, value: float) -> float:
        return LEFT + (value - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        return HEIGHT - BOTTOM - (value - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)


def _text(x: float, y: float, text: str, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(text)}</text>'


def _axes(chart: Chart, frame: _Frame) -> list[str]:
    bottom, top = HEIGHT - BOTTOM, TOP
    left, right = LEFT, WIDTH - RIGHT
    parts = []
    for value in ticks(*chart.x_range):
        x = frame.x(value)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" class="grid"/>')
        parts.append(_text(x, bottom + 16, _label(value), ' text-anchor="middle"'))
    for value in ticks(*chart.y_range):
        y = frame.y(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" class="grid"/>')
        parts.append(_text(left - 6, y + 4, _label(value), ' text-anchor="end"'))
    parts.append(
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" class="frame"/>'
    )
    parts.append(_text((left + right) / 2, HEIGHT - 12, chart.x_label, ' text-anchor="middle"'))
    middle = (top + bottom) / 2
    rotate = f' text-anchor="middle" transform="rotate(-90 16 {middle:.1f})"'
    parts.append(_text(16, middle, chart.y_label, rotate))
    return parts


def _curves(chart: Chart, frame: _Frame) -> list[str]:
    parts = []
    for index, series in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        pixels = simplify([(frame.x(x), frame.y(y)) for x, y in series.points])
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in pixels)
        dash = ' stroke-dasharray="6 4"' if series.dashed else ""
        parts.append(f'<polyline points="{coords}" stroke="{colour}"{dash} class="curve"/>')
        y = TOP + 8 + 22 * index
        x = WIDTH - RIGHT + 14
        parts.append(
            f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{colour}"{dash} class="curve"/>'
        )
        parts.append(_text(x + 30, y + 4, series.label))
    for marker in chart.markers:
        at = frame.x(marker.x)
        parts.append(
            f'<line x1="{at:.1f}" y1="{TOP}" x2="{at:.1f}" y2="{HEIGHT - BOTTOM}" class="marker"/>'
        )
        parts.append(_text(at + 3, TOP - 6, marker.label, ' class="note"'))
    return parts


_STYLE = (
    "<style>text{font-family:sans-serif;font-size:12px;fill:#222}"
    ".title{font-size:15px;font-weight:bold}.note{font-size:11px;fill:#555}"
    ".grid{stroke:#e4e4e4;stroke-width:1}.frame{fill:none;stroke:#888;stroke-width:1}"
    ".curve{fill:none;stroke-width:2.2}.marker{stroke:#777;stroke-width:1;stroke-dasharray:3 3}</style>"
)


def render(chart: Chart) -> str:
    """The chart as a standalone SVG document."""
    frame = _Frame(chart)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">'
    )
    body = [
        head,
        f"<title>{escape(chart.title)}</title>",
        _STYLE,
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(LEFT, 22, chart.title, ' class="title"'),
        *_axes(chart, frame),
        *_curves(chart, frame),
        "</svg>",
    ]
    return "\n".join(body) + "\n"
