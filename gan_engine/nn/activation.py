"""Activation layers chosen by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, TypeAlias, get_args

from torch import nn

ActivationKind: TypeAlias = Literal["prelu", "leaky_relu", "relu", "gelu"]
"""``prelu`` (one learnable slope, initialised to 0.25), ``leaky_relu``, ``relu`` or ``gelu``."""

ACTIVATION_KINDS: tuple[ActivationKind, ...] = get_args(ActivationKind)

# Not in-place: residual and skip branches may still need the pre-activation tensor.
_ACTIVATIONS: Mapping[str, Callable[[float], nn.Module]] = {
    "prelu": lambda _slope: nn.PReLU(),
    "leaky_relu": nn.LeakyReLU,
    "relu": lambda _slope: nn.ReLU(),
    "gelu": lambda _slope: nn.GELU(),
}


def make_activation(kind: ActivationKind, *, negative_slope: float = 0.2) -> nn.Module:
    """An element-wise activation layer; ``negative_slope`` applies to ``leaky_relu`` only."""
    build = _ACTIVATIONS.get(kind)
    if build is None:
        choices = ", ".join(map(repr, ACTIVATION_KINDS))
        msg = f"unknown activation {kind!r}; expected one of {choices}"
        raise ValueError(msg)
    return build(negative_slope)
