"""``Validation.metrics`` is checked when the spec loads: every problem with file, line and key."""

from __future__ import annotations

import pytest

from containers.spec.loader import load_spec_text, spec_from_dict
from containers.spec.problems import SpecError
from containers.spec.resolved import spec_to_dict
from gan_engine.metrics.distribution import KIDParams
from gan_engine.metrics.dists import DISTSParams

BASE = """\
Data:
  dataset: sample_photos
  channels: {channels}
  params: {{color: {color}}}
Generator:
  name: srresnet
Losses:
  - name: l1
Validation:
  metrics:
{metrics}"""


def spec(metrics: str, channels: int = 3, color: str = "rgb") -> str:
    return BASE.format(metrics=metrics, channels=channels, color=color)


def test_metrics_are_structured_into_their_own_classes() -> None:
    metrics = """\
    - name: dists
    - name: kid
      label: kid_small
      params: {subset_size: 50}
"""
    loaded = load_spec_text(spec(metrics), "good.yaml")
    first, second = loaded.Validation.metrics
    assert isinstance(first.params, DISTSParams)
    assert isinstance(second.params, KIDParams)
    assert second.params.subset_size == 50
    assert [metric.key for metric in loaded.Validation.metrics] == ["dists", "kid_small"]


def test_no_validation_section_means_no_metrics() -> None:
    text = spec("").replace("Validation:\n  metrics:\n", "")
    assert load_spec_text(text, "plain.yaml").Validation.metrics == []


def test_every_metric_problem_is_reported_with_file_line_and_key() -> None:
    metrics = """\
    - name: lpip
    - name: dists
      params: {bands: [0, 1]}
    - name: kid
      params: {subset_size: 1, colour: 2}
    - name: lpips
      label: dists
"""
    with pytest.raises(SpecError) as caught:
        load_spec_text(spec(metrics), "bad.yaml")
    text = str(caught.value)
    expected = [
        "bad.yaml:11:13: Validation.metrics.0.name: unknown metric 'lpip' (did you mean 'lpips'?)",
        "bad.yaml:13:23: Validation.metrics.1.params.bands: expected 3 band indices, got 2: [0, 1]",
        "Validation.metrics.2.params.subset_size: must be >= 2, got 1",
        "Validation.metrics.2.params: unknown key 'colour'",
        "bad.yaml:17:14: Validation.metrics.3.label: metric logged as 'val/dists' twice",
    ]
    for line in expected:
        assert line in text, text


def test_band_counts_are_checked_against_the_data() -> None:
    metrics = """\
    - name: lpips
    - name: fid
      params: {feature_network: 'tests.metrics.feature_networks:band_statistics'}
"""
    with pytest.raises(SpecError) as caught:
        load_spec_text(spec(metrics, channels=4, color="rgba"), "bands.yaml")
    text = str(caught.value)
    assert "Validation.metrics.0.params.bands: the data has 4 bands" in text
    assert "Validation.metrics.1" not in text  # a feature network of one's own sees every band


def test_the_resolved_spec_round_trips_with_its_metrics() -> None:
    metrics = """\
    - name: lpips
      params: {net: vgg}
    - name: kid
      label: kid_small
"""
    loaded = load_spec_text(spec(metrics), "good.yaml")
    resolved = spec_to_dict(loaded)
    assert resolved["Validation"]["metrics"][0]["params"]["net"] == "vgg"
    assert spec_from_dict(resolved).Validation == loaded.Validation
