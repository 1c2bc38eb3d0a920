"""Fitting a normaliser by streaming over a dataset equals the statistics of all its samples."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from gan_engine.data.fit_samples import DatasetSamples
from gan_engine.data.rasters.params import Sentinel2Params
from gan_engine.data.rasters.selectors import Sentinel2Selector
from gan_engine.normalisers.branches import PerBranchNormaliser
from gan_engine.normalisers.statistics import PercentileNormaliser, ZScoreNormaliser


def test_dataset_samples_reread_the_dataset(geotiff_folder: Path) -> None:
    params = Sentinel2Params(root=str(geotiff_folder), patch_size=16, val_patch_size=32)
    dataset = Sentinel2Selector(2, 4, 2, params).val_dataset()
    samples = DatasetSamples(dataset, limit=4)
    assert len(samples) == 4
    first = [s["hr"] for s in samples]
    second = [s["hr"] for s in samples]
    assert len(first) == 4
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    with pytest.raises(ValueError, match="limit"):
        DatasetSamples(dataset, limit=0)


def test_streaming_fit_over_a_raster_dataset_equals_the_pooled_statistics(
    geotiff_folder: Path,
) -> None:
    params = Sentinel2Params(root=str(geotiff_folder), patch_size=16, val_patch_size=32)
    dataset = Sentinel2Selector(2, 4, 2, params).val_dataset()
    normaliser = PerBranchNormaliser(ZScoreNormaliser(4), PercentileNormaliser(4))
    normaliser.fit(DatasetSamples(dataset))
    valid = []
    for index in range(len(dataset)):
        sample = dataset[index]
        valid.append(sample["hr"][:, sample["mask"][0].bool()])
    pooled = torch.cat(valid, dim=1).double()
    zscore = normaliser.lr
    assert isinstance(zscore, ZScoreNormaliser)
    torch.testing.assert_close(zscore.shift[1].double(), pooled.mean(dim=1), rtol=1e-6, atol=1e-3)
    torch.testing.assert_close(
        zscore.scale[1].double(), pooled.std(dim=1, correction=0), rtol=1e-6, atol=1e-3
    )
