"""Inference forms: switched once by prepare_inference; in place, never on the caller's tensor."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor, nn

from gan_engine.nn.inference_forms import (
    InferenceForms,
    activate_,
    add_scaled,
    add_scaled_,
    prepare_inference,
    run_layers,
    sequential_,
)


class Doubler(InferenceForms):
    """Doubles its input, in place on its own copy in the inference form."""

    def forward(self, x: Tensor) -> Tensor:
        y = x.clone()
        return y.mul_(2) if self.inference_form else y * 2


def test_prepare_switches_every_layer_with_forms_and_leaves_plain_ones() -> None:
    model = nn.Sequential(Doubler(), nn.Sequential(Doubler(), nn.ReLU()))
    assert not any(getattr(m, "inference_form", False) for m in model.modules())
    assert prepare_inference(model) is model
    assert not model.training
    forms = [m.inference_form for m in model.modules() if isinstance(m, Doubler)]
    assert forms == [True, True]
    assert not hasattr(model[1][1], "inference_form")
    prepare_inference(model, enabled=False)
    assert [m.inference_form for m in model.modules() if isinstance(m, Doubler)] == [False, False]


def test_training_mode_switches_the_forms_off_and_eval_keeps_them() -> None:
    model = prepare_inference(nn.Sequential(Doubler()))
    model.eval()
    assert model[0].inference_form
    model.train()
    assert not model[0].inference_form


def test_the_decision_is_the_flag_not_the_autograd_state() -> None:
    layer = Doubler()
    x = torch.ones(3, requires_grad=True)
    with torch.no_grad():  # not prepared: the plain form, even without autograd
        assert not layer.inference_form
        torch.testing.assert_close(layer(x), 2 * x.detach())
    prepare_inference(layer)
    with torch.inference_mode():
        torch.testing.assert_close(layer(torch.ones(3)), torch.full((3,), 2.0))


@pytest.mark.parametrize(
    "activation",
    [nn.ReLU(), nn.LeakyReLU(0.3), nn.PReLU(init=-0.7), nn.PReLU(init=1.5)],
    ids=["relu", "leaky_relu", "prelu_negative", "prelu_steep"],
)
def test_activations_run_in_place_with_the_module_values(activation: nn.Module) -> None:
    x = torch.randn(2, 3, 5, 4)
    expected = activation(x).detach()
    with torch.no_grad():
        out = activate_(activation, x)
    assert out.data_ptr() == x.data_ptr()
    torch.testing.assert_close(out, expected)


@pytest.mark.parametrize(
    "activation", [nn.GELU(), nn.PReLU(num_parameters=3)], ids=["gelu", "per_channel_prelu"]
)
def test_other_activations_run_out_of_place(activation: nn.Module) -> None:
    x = torch.randn(2, 3, 5, 4)
    kept = x.clone()
    with torch.no_grad():
        out = activate_(activation, x)
        expected = activation(kept)
    assert torch.equal(x, kept)
    torch.testing.assert_close(out, expected)


def test_sequential_never_writes_its_input_and_matches_the_sequential() -> None:
    torch.manual_seed(0)
    layers = nn.Sequential(nn.LeakyReLU(0.1), nn.Conv2d(3, 3, 3, padding=1), nn.PReLU())
    x = torch.randn(1, 3, 6, 6)
    kept = x.clone()
    expected = layers(x).detach()
    with torch.no_grad():
        out = sequential_(layers, x)
    assert torch.equal(x, kept)
    torch.testing.assert_close(out, expected)


def test_add_scaled_writes_the_branch_only() -> None:
    branch, skip = torch.full((2, 2), 3.0), torch.ones(2, 2)
    out = add_scaled_(branch, skip, 0.5)
    assert out is branch
    assert torch.equal(out, torch.full((2, 2), 2.5))
    assert torch.equal(skip, torch.ones(2, 2))


def test_out_of_place_helpers_match_the_in_place_ones() -> None:
    branch, skip = torch.randn(2, 3), torch.randn(2, 3)
    for scale in (1.0, 0.2):
        expected = add_scaled(branch.clone(), skip, scale, in_place=False)
        torch.testing.assert_close(add_scaled(branch.clone(), skip, scale, in_place=True), expected)
    layers = [nn.Identity(), nn.LeakyReLU(0.1)]
    x = torch.randn(4)
    torch.testing.assert_close(
        run_layers(layers, x.clone(), in_place=True), run_layers(layers, x, in_place=False)
    )
