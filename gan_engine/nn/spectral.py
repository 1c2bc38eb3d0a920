"""Spectral normalisation (Miyato et al. 2018) of convolutions, keeping their static types."""

from __future__ import annotations

from typing import TypeVar

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

Layer = TypeVar("Layer", bound=nn.Module)

POWER_ITERATIONS = 1
"""Power iterations per training forward pass (the paper's choice; more at initialisation)."""


def spectrally_normalised(layer: Layer, *, enabled: bool = True) -> Layer:
    """``layer`` with its ``weight`` divided by its largest singular value (when ``enabled``).

    Uses :func:`torch.nn.utils.parametrizations.spectral_norm`: the weight becomes a
    parametrisation of ``parametrizations.weight.original``, and its power-iteration vectors are
    buffers (``_u``, ``_v``) that move one iteration per forward pass in training mode only, so eval
    mode is deterministic and a seeded training run is reproducible. The singular value is that of
    the weight reshaped to ``[C_out, C_in * prod(kernel)]``, the usual stand-in for the
    convolution's operator norm (Miyato et al.).
    """
    if not enabled:
        return layer
    if not isinstance(getattr(layer, "weight", None), nn.Parameter):
        msg = f"spectral normalisation needs a layer with a weight parameter, got {type(layer).__name__}"
        raise TypeError(msg)
    spectral_norm(layer, n_power_iterations=POWER_ITERATIONS)
    return layer


def is_spectrally_normalised(layer: nn.Module) -> bool:
    """Whether ``layer.weight`` is computed by a spectral-norm parametrisation."""
    parametrizations = getattr(layer, "parametrizations", None)
    weight = getattr(parametrizations, "weight", None) if parametrizations is not None else None
    return weight is not None and any(type(item).__name__ == "_SpectralNorm" for item in weight)
