"""DISTS against the authors' ``DISTS_pytorch`` with the same (random VGG16, shipped alpha/beta) weights."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from numpy.typing import NDArray

from gan_engine.errors import WeightsNotFoundError
from gan_engine.metrics.dists import (
    BACKBONE_FILE,
    WEIGHTS_FILE,
    DISTSMetric,
    DISTSParams,
    build_dists,
)
from tests.metrics.conftest import as_batch, distorted
from tests.metrics.weight_files import write_metric_weights

DISTS_pytorch = pytest.importorskip("DISTS_pytorch")


@pytest.fixture(scope="module")
def vgg_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dists_home")
    write_metric_weights(home)
    return home


class _VGG16Features:
    """Stands in for ``torchvision.models.vgg16(pretrained=True)``: our random features only."""

    def __init__(self, **kwargs: object) -> None:
        self.features = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs["D"])
        state = {f"features.{k}": v for k, v in self.features.state_dict().items()}
        saved = torch.load(self.file, weights_only=True)
        self.features.load_state_dict({k[9:]: saved[k] for k in state})

    file: Path


def reference(home: Path, monkeypatch: pytest.MonkeyPatch) -> torch.nn.Module:
    """The authors' model with our random VGG16 features (the full file is 528 MB), alpha/beta shipped."""
    from DISTS_pytorch import DISTS_pt

    _VGG16Features.file = home / "hub" / "checkpoints" / BACKBONE_FILE
    monkeypatch.setattr(DISTS_pt.models, "vgg16", _VGG16Features)
    monkeypatch.setenv("TORCH_HOME", str(home))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = DISTS_pt.DISTS(load_weights=False)
    shipped = torch.load(Path(DISTS_pytorch.__file__).parent / "weights.pt", weights_only=True)
    model.alpha.data, model.beta.data = shipped["alpha"], shipped["beta"]
    return model.eval()


def test_dists_matches_the_authors_package_on_photos(
    vgg_home: Path, photos: dict[str, NDArray[np.uint8]], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["astronaut", "chelsea"]
    target = torch.cat([as_batch(photos[name]) for name in names])
    prediction = torch.cat([as_batch(distorted(photos[name], seed=3)) for name in names])
    expected = reference(vgg_home, monkeypatch)((prediction / 255).float(), (target / 255).float())
    metric = DISTSMetric(2, 3)
    got = metric.scores(prediction, target, 255.0)
    torch.testing.assert_close(got, expected.detach(), atol=1e-5, rtol=1e-4)
    assert float(got.min()) > 1e-4  # a real difference was measured
    metric.update({"": prediction}, target, 255.0)
    torch.testing.assert_close(metric.compute()[""], expected.detach().mean(), atol=1e-5, rtol=0)


def test_dists_grayscale_repeats_the_band(
    vgg_home: Path, photos: dict[str, NDArray[np.uint8]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(vgg_home))
    gray = as_batch(photos["camera"])[..., :64, :64]
    noisy = as_batch(distorted(photos["camera"], seed=4))[..., :64, :64]
    metric = DISTSMetric(2, 1)
    rgb = metric.scores(noisy.expand(-1, 3, -1, -1), gray.expand(-1, 3, -1, -1), 255.0)
    torch.testing.assert_close(metric.scores(noisy, gray, 255.0), rgb)


def test_dists_weights_from_the_cache_file_and_a_given_path(
    vgg_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(vgg_home))
    alpha = torch.rand(1, 1475, 1, 1)
    beta = torch.rand(1, 1475, 1, 1)
    path = tmp_path / "mine.pt"
    torch.save({"alpha": alpha, "beta": beta}, path)
    network = build_dists(weights_path=str(path))
    torch.testing.assert_close(network.alpha, alpha)
    torch.testing.assert_close(network.beta, beta)
    torch.save({"alpha": alpha[:, :10]}, path)
    with pytest.raises(WeightsNotFoundError, match="needs 'alpha' with 1475 values"):
        build_dists(weights_path=str(path))


def test_missing_dists_weights_name_the_file(
    vgg_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(vgg_home))
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None)
    with pytest.raises(WeightsNotFoundError) as error:
        DISTSMetric(2, 3, DISTSParams())
    assert WEIGHTS_FILE in str(error.value)
    assert str(vgg_home / "hub" / "checkpoints") in str(error.value)
