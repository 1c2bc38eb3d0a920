"""LPIPS metric against ``lpips.LPIPS`` called directly with the same (random, local) weights."""

from __future__ import annotations

import warnings
from pathlib import Path

import lpips
import numpy as np
import pytest
import torch
from numpy.typing import NDArray
from torch import Tensor

from gan_engine.errors import WeightsNotFoundError
from gan_engine.metrics.lpips import LPIPSMetric, lpips_metric
from tests.metrics.conftest import as_batch, distorted

Home = tuple[Path, dict[str, Tensor]]


def reference_lpips(alexnet: dict[str, Tensor]) -> lpips.LPIPS:
    """lpips' own model: random backbone, our random AlexNet features, the shipped linear layers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = lpips.LPIPS(net="alex", pnet_rand=True, verbose=False)
    for name, module in model.net.named_modules():
        if isinstance(module, torch.nn.Conv2d):
            index = name.rsplit(".", 1)[1]
            module.weight.data.copy_(alexnet[f"features.{index}.weight"])
            module.bias.data.copy_(alexnet[f"features.{index}.bias"])
    return model.eval()


def test_lpips_matches_the_package_on_photos(
    torch_home: Home, photos: dict[str, NDArray[np.uint8]]
) -> None:
    _, alexnet = torch_home
    names = ["astronaut", "chelsea"]
    target = torch.cat([as_batch(photos[name]) for name in names])
    prediction = torch.cat([as_batch(distorted(photos[name], seed=7)) for name in names])
    got = LPIPSMetric(net="alex")(prediction, target, data_range=255.0)
    reference = reference_lpips(alexnet)
    with torch.no_grad():
        expected = reference(
            (prediction / 127.5 - 1).float(), (target / 127.5 - 1).float()
        ).flatten()
    assert got.shape == (2,)
    torch.testing.assert_close(got, expected, atol=1e-3, rtol=0)
    assert float(expected.min()) > 1e-3  # a real difference was measured


def test_lpips_grayscale_and_cached_function(
    torch_home: Home, photos: dict[str, NDArray[np.uint8]]
) -> None:
    metric = LPIPSMetric(net="alex")
    gray = as_batch(photos["camera"])[..., :64, :64]
    noisy = as_batch(distorted(photos["camera"], seed=8))[..., :64, :64]
    rgb = metric(noisy.expand(-1, 3, -1, -1), gray.expand(-1, 3, -1, -1), 255.0)
    torch.testing.assert_close(metric(noisy, gray, 255.0), rgb)
    torch.testing.assert_close(lpips_metric(noisy, gray, 255.0), metric(noisy, gray, 255.0))
    assert float(metric(gray, gray, 255.0)[0]) == pytest.approx(0.0, abs=1e-6)


class MeanAbsolute(torch.nn.Module):
    """A cheap stand-in for the LPIPS network: per-image mean |x - y| as ``[N, 1, 1, 1]``."""

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        return (x - y).abs().mean(dim=(1, 2, 3), keepdim=True)


def test_lpips_on_volumes_averages_every_slice_of_each_axis(torch_home: Home) -> None:
    metric = LPIPSMetric(net="alex")
    metric.model = MeanAbsolute()  # type: ignore[assignment]
    generator = torch.Generator().manual_seed(0)
    volume = torch.rand(2, 3, 4, 5, 6, generator=generator) * 255
    other = torch.rand(2, 3, 4, 5, 6, generator=generator) * 255
    diff = ((other - volume) / 127.5).abs()
    # per axis: the mean over slices of per-slice means; then the mean over the three axes
    expected = torch.stack(
        [
            diff.mean(dim=(1, 3, 4)).mean(1),
            diff.mean(dim=(1, 2, 4)).mean(1),
            diff.mean(dim=(1, 2, 3)).mean(1),
        ]
    ).mean(0)
    torch.testing.assert_close(metric(other, volume, 255.0), expected.float())


def test_lpips_metric_band_rules(torch_home: Home) -> None:
    metric = LPIPSMetric(net="alex", channels=[3, 2, 1])
    x = torch.rand(1, 5, 32, 32) * 255
    assert metric(x, x, 255.0).shape == (1,)
    with pytest.raises(ValueError, match="takes 3 bands but the input has 5"):
        LPIPSMetric(net="alex")(x, x, 255.0)


def test_lpips_metric_missing_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(WeightsNotFoundError) as error:
        LPIPSMetric(net="alex")
    assert "alexnet-owt-7be5be79.pth" in str(error.value)
    assert str(tmp_path / "hub" / "checkpoints") in str(error.value)
