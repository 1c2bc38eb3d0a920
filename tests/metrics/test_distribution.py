"""FID and KID agree with torchmetrics called directly; small sets, bands and feature networks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from numpy.typing import NDArray
from torch import Tensor, nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance

from gan_engine.errors import InvalidParamError
from gan_engine.metrics.distribution import (
    INCEPTION_FILE,
    FIDMetric,
    FIDParams,
    KIDMetric,
    KIDParams,
)
from tests.metrics.conftest import as_batch, distorted
from tests.metrics.feature_networks import BandStatistics
from tests.metrics.weight_files import write_metric_weights

USER = "tests.metrics.feature_networks:band_statistics"


class Counted(BandStatistics):
    """BandStatistics with the width torchmetrics asks custom networks for."""

    def __init__(self, bands: int) -> None:
        super().__init__()
        self.num_features = 3 * bands


def sets(bands: int, count: int = 6) -> tuple[Tensor, Tensor]:
    generator = torch.Generator().manual_seed(bands)
    target = torch.rand(count, bands, 24, 24, generator=generator) * 1000.0
    output = (target * 0.8 + torch.rand(target.shape, generator=generator) * 300.0).clamp(0, 1000)
    return target, output


def test_fid_with_a_feature_network_agrees_with_torchmetrics() -> None:
    target, output = sets(3)
    ours = FIDMetric(2, 3, FIDParams(feature_network=USER))
    ours.update({"": output[:3]}, target[:3], 1000.0)  # two batches
    ours.update({"": output[3:]}, target[3:], 1000.0)
    reference = FrechetInceptionDistance(feature=Counted(3))
    reference.update(target / 1000.0, real=True)
    reference.update(output / 1000.0, real=False)
    torch.testing.assert_close(ours.compute()[""], reference.compute(), rtol=1e-5, atol=1e-6)


def test_kid_with_a_feature_network_agrees_with_torchmetrics_on_13_bands() -> None:
    target, output = sets(13)
    ours = KIDMetric(2, 13, KIDParams(feature_network=USER, subsets=3))
    ours.update({"": output, "_same": target}, target, 1000.0)
    # subsets shrink to the 6 images: every subset is the whole set, the value is deterministic
    reference = KernelInceptionDistance(feature=Counted(13), subsets=3, subset_size=6)
    reference.update(target / 1000.0, real=True)
    reference.update(output / 1000.0, real=False)
    values = ours.compute()
    torch.testing.assert_close(values[""], reference.compute()[0], rtol=1e-5, atol=1e-7)
    assert float(values[""]) > float(values["_same"])


def test_volumes_give_every_slice_of_each_axis_to_the_set() -> None:
    generator = torch.Generator().manual_seed(5)
    volume = torch.rand(2, 1, 4, 5, 6, generator=generator)
    metric = FIDMetric(3, 1, FIDParams(feature_network=USER))
    features = metric.features(volume, 1.0)
    assert features.shape == (2 * (4 + 5 + 6), 3)


def test_fewer_than_two_images_give_nan_not_an_error() -> None:
    target, output = sets(1, count=1)
    for metric in (
        FIDMetric(2, 1, FIDParams(feature_network=USER)),
        KIDMetric(2, 1, KIDParams(feature_network=USER)),
    ):
        metric.update({"": output}, target, 1000.0)
        assert torch.isnan(metric.compute()[""])


def test_a_feature_network_that_is_not_a_module_is_refused() -> None:
    with pytest.raises(InvalidParamError, match=r"expected a torch\.nn\.Module"):
        FIDMetric(2, 3, FIDParams(feature_network="tests.metrics.feature_networks:not_a_module"))
    with pytest.raises(InvalidParamError, match="cannot load"):
        FIDMetric(2, 3, FIDParams(feature_network="tests.metrics.feature_networks:missing"))


def test_inception_fid_agrees_with_torchmetrics_on_photos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, photos: dict[str, NDArray[np.uint8]]
) -> None:
    folder = write_metric_weights(tmp_path, inception=True)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    names = ["astronaut", "chelsea"]
    target = torch.cat([as_batch(photos[name])[..., :64, :64] for name in names] * 2)
    output = torch.cat(
        [as_batch(distorted(photos[name], seed=s))[..., :64, :64] for s in (1, 2) for name in names]
    )
    ours = FIDMetric(2, 3, FIDParams(feature=64))
    ours.update({"": output}, target, 255.0)
    reference = FrechetInceptionDistance(
        feature=64, feature_extractor_weights_path=str(folder / INCEPTION_FILE)
    )
    reference.update(target.to(torch.uint8), real=True)
    reference.update(output.to(torch.uint8), real=False)
    expected = reference.compute()
    torch.testing.assert_close(ours.compute()[""], expected, rtol=1e-4, atol=1e-4)
    assert float(expected) > 0.0


def test_inception_needs_its_weight_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        KIDMetric(2, 3)
    assert INCEPTION_FILE in str(error.value)


def test_user_feature_network_module_is_frozen() -> None:
    metric = FIDMetric(2, 3, FIDParams(feature_network=USER))
    assert isinstance(metric.network, nn.Module)
    assert not metric.network.training
