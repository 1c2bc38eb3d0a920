from __future__ import annotations

import pytest
import torch

from gan_engine.nn.activation import ACTIVATION_KINDS, make_activation

X = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0])


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("prelu", [-0.5, -0.25, 0.0, 1.0, 2.0]),
        ("leaky_relu", [-0.4, -0.2, 0.0, 1.0, 2.0]),
        ("relu", [0.0, 0.0, 0.0, 1.0, 2.0]),
        ("gelu", [-0.0455, -0.1587, 0.0, 0.8413, 1.9545]),
    ],
)
def test_values(kind: str, expected: list[float]) -> None:
    out = make_activation(kind)(X)  # type: ignore[arg-type]
    torch.testing.assert_close(out, torch.tensor(expected), atol=1e-4, rtol=0)


def test_leaky_relu_slope_is_configurable() -> None:
    out = make_activation("leaky_relu", negative_slope=0.1)(X)
    torch.testing.assert_close(out[:2], torch.tensor([-0.2, -0.1]))


def test_prelu_slope_is_learnable() -> None:
    layer = make_activation("prelu")
    assert [p.numel() for p in layer.parameters()] == [1]


def test_every_kind_builds_a_fresh_module() -> None:
    for kind in ACTIVATION_KINDS:
        assert make_activation(kind) is not make_activation(kind)


def test_unknown_activation_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown activation 'swish'; expected one of 'prelu'"):
        make_activation("swish")  # type: ignore[arg-type]
