"""The metric registry: entry-point plugins, the views rule, and the shipped real-world spec's metrics."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
import torch

from containers.metric_builders import build_metrics
from containers.spec.loader import load_spec
from gan_engine.errors import InvalidParamError
from gan_engine.metrics.dists import DISTSMetric
from gan_engine.metrics.lpips import LPIPSValidation
from gan_engine.metrics.views import axis_slices, band_errors, per_sample, three_bands
from gan_engine.registry import METRICS
from tests.metrics.weight_files import write_metric_weights

REALWORLD = Path(__file__).resolve().parents[2] / "specs" / "realworld_rgb_x4.yaml"


def test_a_metric_plugin_registers_through_its_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    METRICS.names()  # built-ins and installed plugins loaded
    monkeypatch.setattr(METRICS, "_entries", dict(METRICS._entries))
    monkeypatch.setattr(METRICS, "_entry_points_loaded", False)
    point = EntryPoint("mean_absolute", "tests.metrics.plugin_metric", "gan_engine.metrics")
    monkeypatch.setattr(
        "gan_engine.registry.entry_points",
        lambda group: [point] if group == METRICS.entry_point_group else [],
    )
    entry = METRICS.get("mean_absolute")
    assert entry.origin == "plugin tests.metrics.plugin_metric"
    metric = entry.factory(spatial_dims=2, channels=1, params=entry.params_cls())
    target = torch.zeros(2, 1, 8, 8)
    metric.update({"": target + 51.0}, target, 255.0)
    assert float(metric.compute()[""]) == pytest.approx(0.2)


def test_the_band_rule() -> None:
    x = torch.arange(2 * 5 * 4 * 4, dtype=torch.float32).reshape(2, 5, 4, 4)
    torch.testing.assert_close(three_bands(x, [3, 2, 1]), x[:, [3, 2, 1]])
    gray = x[:, :1]
    torch.testing.assert_close(three_bands(gray, None), gray.expand(-1, 3, -1, -1))
    torch.testing.assert_close(three_bands(x[:, :3], None), x[:, :3])
    with pytest.raises(InvalidParamError, match="the data has 5 bands"):
        three_bands(x, None)
    assert [e.message for e in band_errors([0, 1, 9], 5)] == [
        "band indices must lie in [0, 4] (5 bands), got [9]"
    ]
    assert list(band_errors(None, 3)) == []


def test_volumes_are_sliced_along_each_axis_sample_by_sample() -> None:
    volume = torch.rand(2, 1, 3, 4, 5)
    slices = axis_slices(volume)
    assert [tuple(s.shape) for s in slices] == [(6, 1, 4, 5), (8, 1, 3, 5), (10, 1, 3, 4)]
    torch.testing.assert_close(slices[0][3], volume[1, :, 0])  # sample 1, first depth slice
    torch.testing.assert_close(slices[2][4], volume[0, :, :, :, 4])

    def mean_difference(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return (x - y).flatten(1).mean(dim=1)

    other = volume + torch.arange(2.0).view(2, 1, 1, 1, 1)
    torch.testing.assert_close(per_sample(mean_difference, other, volume), torch.tensor([0.0, 1.0]))


def test_the_realworld_spec_builds_lpips_and_dists_from_random_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_metric_weights(tmp_path)
    torch.save(
        {"alpha": torch.rand(1, 1475, 1, 1), "beta": torch.rand(1, 1475, 1, 1)},
        folder / "dists_weights.pt",
    )
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    metrics = build_metrics(load_spec(REALWORLD))
    assert list(metrics) == ["lpips", "dists"]
    assert isinstance(metrics["lpips"], LPIPSValidation)
    assert isinstance(metrics["dists"], DISTSMetric)
    hr = torch.rand(2, 3, 48, 48) * 255
    for metric in metrics.values():
        metric.update({"": hr, "_bicubic": (hr * 0.9 + 10).clamp(0, 255)}, hr, 255.0)
        values = metric.compute()
        assert float(values[""]) == pytest.approx(0.0, abs=1e-5)
        assert float(values["_bicubic"]) > 0.0
