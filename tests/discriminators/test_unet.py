from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from gan_engine.discriminators.unet import UNetDiscriminator, UNetDiscriminatorParams
from gan_engine.nn.spectral import is_spectrally_normalised
from gan_engine.registry import DISCRIMINATORS
from tests.receptive_support import measured_radius

TINY = UNetDiscriminatorParams.tiny()


@pytest.mark.parametrize("spatial", [(16, 16), (9, 13), (17, 31), (8, 8, 8), (5, 9, 6)], ids=str)
def test_per_pixel_logits_at_the_input_size(spatial: tuple[int, ...]) -> None:
    dims: Any = len(spatial)
    model = UNetDiscriminator(dims, 3, TINY)
    logits = model(torch.rand(2, 3, *spatial))
    assert logits.shape == (2, 1, *spatial)
    assert torch.isfinite(logits).all()


def test_default_handles_sizes_not_divisible_by_eight() -> None:
    model = UNetDiscriminator(2, 1)
    assert model(torch.rand(1, 1, 21, 35)).shape == (1, 1, 21, 35)
    with pytest.raises(ValueError, match=r"needs every spatial size >= 8, got \(7, 35\)"):
        model(torch.rand(1, 1, 7, 35))


def test_spectral_norm_on_all_but_the_first_and_last_conv() -> None:
    model = UNetDiscriminator(2, 3, UNetDiscriminatorParams(base_channels=4))
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 10  # Real-ESRGAN's conv0 .. conv9
    flags = [is_spectrally_normalised(c) for c in convs]
    assert not flags[0]
    assert not is_spectrally_normalised(model.last)
    assert sum(flags) == 8
    plain = UNetDiscriminator(2, 3, UNetDiscriminatorParams(base_channels=4, spectral_norm=False))
    assert not any(is_spectrally_normalised(m) for m in plain.modules())


def test_spectral_norm_bounds_sigma_after_training_steps() -> None:
    torch.manual_seed(0)
    model = UNetDiscriminator(2, 1, TINY).train()
    x = torch.rand(2, 1, 16, 16)
    for _ in range(20):
        model(x)
    for conv in model.down:
        weight = conv.weight
        assert isinstance(weight, torch.Tensor)
        sigma = torch.linalg.matrix_norm(weight.detach().flatten(1), ord=2)
        assert float(sigma) == pytest.approx(1.0, abs=1e-2)


def test_features_encoder_decoder_and_refined() -> None:
    model = UNetDiscriminator(2, 1, TINY)
    features = model.features(torch.rand(1, 1, 13, 10))
    shapes = [tuple(f.shape[1:]) for f in features]
    assert shapes == [(4, 13, 10), (8, 6, 5), (16, 3, 2), (8, 6, 5), (4, 13, 10), (4, 13, 10)]


def test_skip_connections_can_be_turned_off() -> None:
    torch.manual_seed(0)
    with_skip = UNetDiscriminator(2, 1, TINY)
    torch.manual_seed(0)
    without = UNetDiscriminator(
        2, 1, UNetDiscriminatorParams(base_channels=4, n_levels=2, skip_connection=False)
    )
    x = torch.rand(1, 1, 12, 12)
    assert not torch.allclose(with_skip.eval()(x), without.eval()(x))


@pytest.mark.parametrize("skip", [True, False])
def test_receptive_field_claim_bounds_the_network(skip: bool) -> None:
    torch.manual_seed(0)
    params = UNetDiscriminatorParams(
        base_channels=2, n_levels=2, spectral_norm=False, skip_connection=skip
    )
    claimed = params.receptive_field()
    model = UNetDiscriminator(2, 1, params).double().eval()
    assert claimed == 19  # the path through the bottom level dominates
    for size in (2 * claimed + 9, 2 * claimed + 10):  # odd and even sizes resample differently
        measured = measured_radius(model, (1, 1, size, size), period=4)
        # linear resizing reads 2 of the 3 pixels the claim allows, depending on size and phase
        assert claimed - 3 <= measured <= claimed


def test_capabilities() -> None:
    caps = DISCRIMINATORS.get("unet").capabilities
    assert caps.min_input_size == 8
    assert caps.receptive_field == UNetDiscriminatorParams().receptive_field()
    assert caps.spatial_dims == frozenset({2, 3})
