from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from gan_engine.discriminators.patchgan import PatchGANDiscriminator, PatchGANParams
from gan_engine.errors import InvalidParamError
from gan_engine.nn.spectral import is_spectrally_normalised
from gan_engine.registry import DISCRIMINATORS

TINY = PatchGANParams.tiny()


@pytest.mark.parametrize(
    ("n_layers", "spatial"),
    [(1, (6, 9)), (2, (12, 31)), (3, (24, 70)), (1, (6, 7, 13)), (2, (12, 12, 17))],
)
def test_output_grid_follows_the_formula(n_layers: int, spatial: tuple[int, ...]) -> None:
    params = PatchGANParams(base_channels=4, n_layers=n_layers)
    dims: Any = len(spatial)
    logits = PatchGANDiscriminator(dims, 2, params)(torch.rand(2, 2, *spatial))
    expected = tuple(size // 2**n_layers - 2 for size in spatial)
    assert logits.shape == (2, 1, *expected)
    assert expected == tuple(params.output_size(size) for size in spatial)


def test_min_input_size_gives_one_logit_and_smaller_is_rejected() -> None:
    params = PatchGANParams(base_channels=4, n_layers=2)
    assert params.min_input_size() == 12
    model = PatchGANDiscriminator(2, 1, params)
    assert model(torch.rand(1, 1, 12, 12)).shape == (1, 1, 1, 1)
    with pytest.raises(ValueError, match=r"needs every spatial size >= 12, got \(11, 12\)"):
        model(torch.rand(1, 1, 11, 12))


def test_default_is_the_70_pixel_patchgan() -> None:
    params = PatchGANParams()
    assert params.receptive_field_size() == 70
    assert params.layer_channels() == [64, 128, 256, 512]
    entry = DISCRIMINATORS.get("patchgan")
    assert entry.capabilities.receptive_field == 35
    assert entry.capabilities.min_input_size == 24


@pytest.mark.parametrize("n_layers", [1, 2])
def test_receptive_field_is_the_patch(n_layers: int) -> None:
    torch.manual_seed(0)
    params = PatchGANParams(base_channels=2, n_layers=n_layers, norm="none")
    model = PatchGANDiscriminator(2, 1, params).double()
    size = 4 * params.receptive_field_size()
    x = torch.rand(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    logits = model(x)
    (grad,) = torch.autograd.grad(logits[0, 0, 3, 3], x)
    rows = grad.abs().sum(dim=(0, 1, 3)).nonzero().flatten()
    assert int(rows.max() - rows.min()) + 1 == params.receptive_field_size()


@pytest.mark.parametrize(
    ("norm", "layer"), [("batch", nn.BatchNorm2d), ("instance", nn.InstanceNorm2d)]
)
def test_norm_layers_after_the_first_unit(norm: str, layer: type[nn.Module]) -> None:
    model = PatchGANDiscriminator(2, 3, PatchGANParams(base_channels=4, n_layers=3, norm=norm))  # type: ignore[arg-type]
    assert sum(isinstance(m, layer) for m in model.modules()) == 3
    assert not any(is_spectrally_normalised(m) for m in model.modules())


def test_spectral_norm_on_every_conv_and_no_norm_layer() -> None:
    model = PatchGANDiscriminator(2, 3, PatchGANParams(base_channels=4, norm="spectral"))
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 5
    assert all(is_spectrally_normalised(c) for c in convs)
    assert not any(isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d)) for m in model.modules())


def test_features_are_every_unit() -> None:
    model = PatchGANDiscriminator(2, 1, PatchGANParams(base_channels=4, n_layers=2))
    features = model.features(torch.rand(1, 1, 32, 32))
    assert [f.shape[1] for f in features] == [4, 8, 16]
    assert [f.shape[-1] for f in features] == [16, 8, 7]
    torch.testing.assert_close(
        model.eval()(torch.ones(1, 1, 32, 32)),
        model.head(model.features(torch.ones(1, 1, 32, 32))[-1]),
    )


def test_params_are_validated() -> None:
    with pytest.raises(
        InvalidParamError,
        match="norm: expected one of 'batch', 'instance', 'none', 'spectral', got 'layer'",
    ):
        PatchGANParams(norm="layer")  # type: ignore[arg-type]
    with pytest.raises(InvalidParamError, match="max_channels: must be >= base_channels"):
        PatchGANParams(base_channels=64, max_channels=32)
    assert TINY.min_input_size() == 6
