"""Schedule plots: curves computed by the training code, rendered to reproducible SVG."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from containers.docgen.pages.plots import (
    adversarial_weight_chart,
    ema_decay_chart,
    loss_schedule_chart,
    lr_schedule_chart,
    schedule_plots,
)
from containers.docgen.renderers.svg import simplify, ticks


def _at(points: tuple[tuple[float, float], ...], step: int) -> float:
    return dict(points)[float(step)]


def test_adversarial_curve_is_the_modules_weight() -> None:
    linear, cosine, instant = adversarial_weight_chart(pretrain=200, ramp=300).series
    assert _at(linear.points, 199) == 0.0  # pretraining: no adversarial term
    assert _at(linear.points, 350) == 0.5
    assert math.isclose(_at(cosine.points, 350), 0.5)
    assert _at(cosine.points, 275) < _at(linear.points, 275)  # cosine eases in
    assert _at(instant.points, 200) == 1.0
    assert _at(linear.points, 500) == 1.0


def test_loss_schedule_and_ema_curves() -> None:
    constant, linear, _ = loss_schedule_chart(start=100, length=300).series
    assert (_at(constant.points, 99), _at(constant.points, 100)) == (0.0, 1.0)
    assert _at(linear.points, 250) == 0.5
    warm, flat = ema_decay_chart(decay=0.99, after=100).series
    assert _at(warm.points, 100) == _at(flat.points, 100) == 0.0
    assert _at(warm.points, 101) == 0.1  # (1 + 0) / (10 + 0)
    assert _at(flat.points, 101) == 0.99


def test_plateau_halves_the_rate_after_patience_stalled_validations() -> None:
    none, cosine, plateau = lr_schedule_chart(lr=1e-3, steps=1000).series
    assert math.isclose(_at(none.points, 0), 0.01)  # warm-up starts at lr / warmup_steps
    assert math.isclose(_at(none.points, 500), 1.0)
    assert math.isclose(_at(cosine.points, 1000), 0.1)  # min_lr
    assert math.isclose(_at(plateau.points, 299), 1.0)
    assert math.isclose(_at(plateau.points, 300), 0.5)
    assert math.isclose(_at(plateau.points, 1000), 0.1)  # never below min_lr


def test_svg_is_well_formed_and_reproducible() -> None:
    first, second = schedule_plots(), schedule_plots()
    assert first == second
    for text in first.values():
        root = ET.fromstring(text)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) >= 2


def test_ticks_are_round_and_cover_the_range() -> None:
    assert ticks(0.0, 800.0) == [0, 100, 200, 300, 400, 500, 600, 700, 800]
    assert ticks(0.0, 1.05) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


@given(st.lists(st.floats(-50, 50), min_size=3, max_size=60))
def test_simplify_keeps_the_ends_and_stays_within_tolerance(heights: list[float]) -> None:
    points = [(float(x), y) for x, y in enumerate(heights)]
    kept = simplify(points, tolerance=0.05)
    assert kept[0] == points[0]
    assert kept[-1] == points[-1]
    for x, y in points:  # every dropped point lies close to the segment that replaced it
        (x0, y0), (x1, y1) = next((a, b) for a, b in itertools.pairwise(kept) if a[0] <= x <= b[0])
        expected = y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        assert abs(y - expected) * math.cos(math.atan2(y1 - y0, x1 - x0)) <= 0.05 + 1e-9
