from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from gan_engine.discriminators.esrgan import ESRGANDiscriminator, ESRGANDiscriminatorParams
from gan_engine.nn.spectral import is_spectrally_normalised
from gan_engine.registry import DISCRIMINATORS

TINY = ESRGANDiscriminatorParams.tiny()


@pytest.mark.parametrize("spatial", [(8, 8), (13, 30), (8, 9, 11)], ids=str)
def test_one_logit_per_image_for_any_size(spatial: tuple[int, ...]) -> None:
    dims: Any = len(spatial)
    logits = ESRGANDiscriminator(dims, 3, TINY)(torch.rand(2, 3, *spatial))
    assert logits.shape == (2, 1)


def test_default_is_vgg128_widths_without_dense_layers() -> None:
    params = ESRGANDiscriminatorParams()
    assert params.stage_channels() == [64, 128, 256, 512, 512]
    model = ESRGANDiscriminator(2, 3)
    assert not any(isinstance(m, nn.Linear) for m in model.modules())
    assert model(torch.rand(1, 3, 128, 128)).shape == (1, 1)
    assert model(torch.rand(1, 3, 96, 80)).shape == (1, 1)
    assert DISCRIMINATORS.get("esrgan").capabilities.min_input_size == 64


@pytest.mark.parametrize("dims", [2, 3])
def test_features_halve_every_stage(dims: Any) -> None:
    model = ESRGANDiscriminator(dims, 2, TINY)
    spatial = [16, 20, 9][:dims]
    features = model.features(torch.rand(1, 2, *spatial))
    assert len(features) == TINY.n_stages
    for index, feature in enumerate(features):
        expected = [size // 2 ** (index + 1) for size in spatial]
        assert feature.shape == (1, TINY.stage_channels()[index], *expected)
    model.eval()
    x = torch.rand(1, 2, *spatial)
    torch.testing.assert_close(model(x), model.head(model.features(x)[-1]))


def test_spectral_variant_normalises_every_conv() -> None:
    params = ESRGANDiscriminatorParams(base_channels=4, n_stages=2, norm="spectral")
    model = ESRGANDiscriminator(2, 1, params)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 2 * 2 + 2
    assert all(is_spectrally_normalised(c) for c in convs)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    assert params.min_input_size() == 4


def test_min_input_size() -> None:
    assert TINY.min_input_size() == 8  # batch norm after the last stage needs 2 pixels per axis
    model = ESRGANDiscriminator(2, 1, TINY).train()
    assert model(torch.rand(1, 1, 8, 8)).shape == (1, 1)
    assert model(torch.rand(2, 1, 4, 4)).shape == (2, 1)  # a larger batch gets by with less
    with pytest.raises(ValueError, match=r"needs every spatial size >= 4, got \(3, 8\)"):
        model(torch.rand(2, 1, 3, 8))
