"""Real-ESRGAN's U-Net discriminator state dicts renamed to :class:`UNetDiscriminator`'s.

Real-ESRGAN's ``UNetDiscriminatorSN`` numbers its convolutions ``conv0`` ... ``conv9`` and wraps
``conv1`` to ``conv8`` in the old :func:`torch.nn.utils.spectral_norm`, whose keys are
``weight_orig`` (the raw weight) and the power-iteration buffers ``weight_u`` / ``weight_v``. With
``L`` downsampling levels (3 in Real-ESRGAN):

=============================  ======================  ==========================================
Real-ESRGAN key                module                  GAN-Engine key
=============================  ======================  ==========================================
``conv0``                      first conv (plain)      ``first``
``conv1`` ... ``conv{L}``      stride-2 convs          ``down.0`` ... ``down.{L-1}``
``conv{L+1}`` ... ``conv{2L}``  decoder convs           ``up.0`` ... ``up.{L-1}``
``conv{2L+1}``, ``conv{2L+2}``  refining convs          ``refine.0``, ``refine.1``
``conv{2L+3}``                 output conv (plain)     ``last``
``*.weight_orig``              raw weight              ``*.parametrizations.weight.original``
``*.weight_u`` / ``weight_v``  power-iteration         ``*.parametrizations.weight.0._u`` / ``_v``
=============================  ======================  ==========================================

Both spectral norms divide by ``u·(W v)`` from the stored vectors in eval mode, so converted weights
give the same logits there; one training step's power iteration updates ``u`` and ``v`` in the
opposite order in the two implementations.
"""

from __future__ import annotations

import re

import attrs
from torch import Tensor

from gan_engine.errors import GanEngineError

StateDict = dict[str, Tensor]

REFINE_CONVS = 2
"""Refining convs between the decoder and the output conv (Real-ESRGAN's conv7, conv8)."""

_KEY = re.compile(r"^conv(\d+)\.(.+)$")
_SPECTRAL_SUFFIXES = {
    "weight_orig": "parametrizations.weight.original",
    "weight_u": "parametrizations.weight.0._u",
    "weight_v": "parametrizations.weight.0._v",
}


def is_realesrgan_layout(state: StateDict) -> bool:
    """Whether ``state`` uses Real-ESRGAN's names (``conv0.weight``, ``conv1.weight_orig``, ...)."""
    return any(key.startswith("conv0.") for key in state)


def conv_count(state: StateDict) -> int:
    """Number of ``convN`` layers in a Real-ESRGAN-layout state dict."""
    return len({int(m[1]) for key in state if (m := _KEY.match(key))})


def to_unet_layout(state: StateDict) -> StateDict:
    """Rename Real-ESRGAN U-Net discriminator keys to GAN-Engine's; other state dicts unchanged.

    The number of levels is read off the conv count (``2L + 4`` convs). Keys matching no conv are
    kept as they are, so that strict loading names them.

    Raises:
        GanEngineError: the convs are not numbered ``conv0`` ... ``conv{2L+3}`` for some ``L >= 1``.
    """
    if not is_realesrgan_layout(state):
        return dict(state)
    indices = sorted({int(m[1]) for key in state if (m := _KEY.match(key))})
    levels, odd = divmod(len(indices) - REFINE_CONVS - 2, 2)
    if levels < 1 or odd or indices != list(range(len(indices))):
        found = ", ".join(f"conv{index}" for index in indices)
        msg = (
            "Real-ESRGAN U-Net discriminator layout: expected convs conv0 ... conv{2L+3} "
            f"(L >= 1 levels, 10 convs for Real-ESRGAN's 3), found {found}"
        )
        raise GanEngineError(msg)
    names = {0: "first", 2 * levels + REFINE_CONVS + 1: "last"}
    names |= {1 + i: f"down.{i}" for i in range(levels)}
    names |= {1 + levels + i: f"up.{i}" for i in range(levels)}
    names |= {1 + 2 * levels + i: f"refine.{i}" for i in range(REFINE_CONVS)}
    converted: StateDict = {}
    for key, value in state.items():
        m = _KEY.match(key)
        if m is None:
            converted[key] = value
            continue
        suffix = _SPECTRAL_SUFFIXES.get(m[2], m[2])
        converted[f"{names[int(m[1])]}.{suffix}"] = value
    return converted


@attrs.frozen
class UNetArchitecture:
    """What a Real-ESRGAN-layout U-Net discriminator state dict says about its architecture."""

    spatial_dims: int
    in_channels: int
    base_channels: int
    n_levels: int
    spectral_norm: bool


def infer_architecture(state: StateDict, source: str) -> UNetArchitecture:
    """Read dims, bands, width, depth and spectral norm off a Real-ESRGAN-layout state dict."""
    first = state.get("conv0.weight")
    if first is None:
        msg = f"{source}: missing key 'conv0.weight', which a Real-ESRGAN U-Net discriminator has"
        raise GanEngineError(msg)
    if first.ndim not in (4, 5):
        msg = f"{source}: conv0.weight has shape {tuple(first.shape)}, expected 2 or 3 spatial axes"
        raise GanEngineError(msg)
    levels = (conv_count(state) - REFINE_CONVS - 2) // 2
    return UNetArchitecture(
        spatial_dims=first.ndim - 2,
        in_channels=int(first.shape[1]),
        base_channels=int(first.shape[0]),
        n_levels=levels,
        spectral_norm="conv1.weight_orig" in state
        or "conv1.parametrizations.weight.original" in state,
    )
