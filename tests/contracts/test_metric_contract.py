"""Every registered validation metric honours the contract, with random weights in a temporary cache.

For 1, 3 and 13 bands (13 through ``bands``) and 2D and 3D (2.5D slices): one scalar per stream,
identical inputs score best (0 for the per-sample distances), a perturbed stream scores worse,
``reset`` forgets, and a missing weight file raises an error that names it. FID/KID use a feature
network of the user's own here (Inception is exercised in tests/metrics/test_distribution.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor

from gan_engine.errors import InvalidParamError, WeightsNotFoundError
from gan_engine.protocols import ValidationMetric
from gan_engine.registry import METRICS
from tests.metrics.weight_files import write_metric_weights

NAMES = METRICS.names()
USER_FEATURES = "tests.metrics.feature_networks:band_statistics"
CASES = [(2, 1), (2, 3), (2, 13), (3, 3)]  # (spatial dims, bands)


@pytest.fixture(scope="module")
def weights_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("metric_weights")
    write_metric_weights(home)
    return home


@pytest.fixture
def cached(weights_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(weights_home))
    return weights_home


def params_for(name: str, bands: int) -> Any:
    raw: dict[str, Any] = {}
    if name in ("fid", "kid"):
        raw["feature_network"] = USER_FEATURES
    elif bands not in (1, 3):
        raw["bands"] = [3, 2, 1]
    return METRICS.get(name).params_cls(**raw)


def build(name: str, dims: int, bands: int) -> ValidationMetric:
    entry = METRICS.get(name)
    return entry.factory(spatial_dims=dims, channels=bands, params=params_for(name, bands))


def images(dims: int, bands: int, size: int, batch: int = 4) -> tuple[Tensor, Tensor]:
    generator = torch.Generator().manual_seed(dims * 100 + bands)
    shape = (batch, bands, *([size] * dims))
    target = torch.rand(shape, generator=generator) * 255.0
    noisy = (target + torch.randn(shape, generator=generator) * 60.0).clamp(0.0, 255.0)
    return target, noisy


def size_for(name: str, dims: int) -> int:
    return max(METRICS.get(name).capabilities.min_input_size, 16 if dims == 3 else 32)


@pytest.mark.parametrize("name", NAMES)
def test_every_metric_is_a_validation_metric_with_capabilities(name: str, cached: Path) -> None:
    entry = METRICS.get(name)
    metric = build(name, 2, 3)
    assert isinstance(metric, ValidationMetric)
    assert metric.higher_is_better is False
    assert entry.capabilities.bands is None or 3 in entry.capabilities.bands


@pytest.mark.parametrize(("dims", "bands"), CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("name", NAMES)
def test_identical_inputs_score_best_per_stream(
    name: str, dims: int, bands: int, cached: Path
) -> None:
    metric = build(name, dims, bands)
    target, noisy = images(dims, bands, size_for(name, dims), batch=4 if dims == 2 else 2)
    metric.update({"": target.clone(), "_noisy": noisy}, target, 255.0)
    values = metric.compute()
    assert set(values) == {"", "_noisy"}
    assert all(value.shape == () for value in values.values())
    assert torch.isfinite(torch.stack(list(values.values()))).all()
    assert float(values[""]) < float(values["_noisy"])
    if name not in ("kid",):  # KID's unbiased estimate of identical sets is ≈ 0 from either side
        assert float(values[""]) == pytest.approx(0.0, abs=1e-4)
    metric.reset()
    metric.update({"": noisy}, target, 255.0)
    again = metric.compute()
    assert float(again[""]) > float(values[""])  # reset forgot the identical batch


@pytest.mark.parametrize("name", NAMES)
def test_other_band_counts_need_a_band_selection(name: str, cached: Path) -> None:
    if METRICS.get(name).capabilities.bands is None:
        pytest.skip("accepts any band count")
    with pytest.raises(InvalidParamError, match="bands"):
        METRICS.get(name).factory(
            spatial_dims=2, channels=13, params=METRICS.get(name).params_cls()
        )


@pytest.mark.parametrize("name", NAMES)
def test_missing_weights_name_the_expected_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = METRICS.get(name)
    if not entry.capabilities.weight_files:
        pytest.skip("reads no weights")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(WeightsNotFoundError) as error:
        entry.factory(spatial_dims=2, channels=3, params=entry.params_cls())
    message = str(error.value)
    assert any(file in message for file in entry.capabilities.weight_files), message
    assert str(tmp_path / "hub" / "checkpoints") in message
