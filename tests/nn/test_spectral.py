from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from gan_engine.nn.spectral import is_spectrally_normalised, spectrally_normalised


def parametrization(layer: nn.Module) -> nn.ModuleList:
    """The spectral-norm parametrisation holding ``original``, ``_u`` and ``_v``."""
    weight = layer.get_submodule("parametrizations.weight")
    assert isinstance(weight, nn.ModuleList)
    return weight


def original_weight(layer: nn.Module) -> torch.Tensor:
    original = getattr(parametrization(layer), "original", None)
    assert isinstance(original, torch.Tensor)
    return original


def power_vector(layer: nn.Module) -> torch.Tensor:
    u = getattr(parametrization(layer)[0], "_u", None)
    assert isinstance(u, torch.Tensor)
    return u


def largest_singular_value(layer: nn.Module) -> float:
    weight = layer.weight  # computed by the parametrisation
    assert isinstance(weight, torch.Tensor)
    return float(torch.linalg.matrix_norm(weight.detach().flatten(1), ord=2))


@pytest.mark.parametrize("layer_cls", [nn.Conv2d, nn.Conv3d])
def test_sigma_is_about_one_after_power_iterations(layer_cls: type[nn.Module]) -> None:
    torch.manual_seed(0)
    layer = spectrally_normalised(layer_cls(4, 8, 3, padding=1))
    with torch.no_grad():
        original_weight(layer).mul_(7.0)
    x = torch.rand(1, 4, *([5] * (2 if layer_cls is nn.Conv2d else 3)))
    layer.train()
    for _ in range(30):
        layer(x)
    layer.eval()
    assert largest_singular_value(layer) == pytest.approx(1.0, abs=1e-3)
    original = original_weight(layer).detach()
    assert float(torch.linalg.matrix_norm(original.flatten(1), ord=2)) > 5


def test_marks_and_disabled() -> None:
    plain = nn.Conv2d(2, 2, 3)
    assert spectrally_normalised(plain, enabled=False) is plain
    assert not is_spectrally_normalised(plain)
    assert is_spectrally_normalised(spectrally_normalised(nn.Conv2d(2, 2, 3)))


def test_eval_is_deterministic_and_train_moves_the_power_iteration() -> None:
    torch.manual_seed(0)
    layer = spectrally_normalised(nn.Conv2d(3, 3, 3))
    x = torch.rand(1, 3, 6, 6)
    u = power_vector(layer).clone()
    layer.eval()
    first, second = layer(x), layer(x)
    assert torch.equal(first, second)
    assert torch.equal(u, power_vector(layer))
    layer.train()
    layer(x)
    assert not torch.equal(u, power_vector(layer))


def test_survives_deepcopy_and_channels_last() -> None:
    torch.manual_seed(0)
    layer = spectrally_normalised(nn.Conv2d(3, 4, 3, padding=1)).eval()
    x = torch.rand(2, 3, 7, 7)
    converted = copy.deepcopy(layer).to(memory_format=torch.channels_last)
    out = converted(x.contiguous(memory_format=torch.channels_last))
    torch.testing.assert_close(out, layer(x))


def test_rejects_layers_without_weight() -> None:
    with pytest.raises(TypeError, match="needs a layer with a weight parameter, got ReLU"):
        spectrally_normalised(nn.ReLU())
