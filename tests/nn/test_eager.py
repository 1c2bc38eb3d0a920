"""In-place activations and residual additions: only without autograd, never on the caller's tensor."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import Tensor, nn

from gan_engine.nn.eager import activate_, add_scaled_, eager_no_grad, sequential_


def test_eager_no_grad_only_when_autograd_is_off_and_nothing_traces() -> None:
    assert not eager_no_grad()
    with torch.no_grad():
        assert eager_no_grad()
    with torch.inference_mode():
        assert eager_no_grad()
    seen: list[bool] = []

    def probe(x: Tensor) -> Tensor:
        seen.append(eager_no_grad())
        return x + 1

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit.trace is deprecated
        torch.jit.trace(probe, torch.zeros(2), check_trace=False)  # type: ignore[no-untyped-call]
    assert seen == [False]


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
