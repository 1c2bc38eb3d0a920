"""ESRGAN state-dict layouts: original ESRGAN keys renamed to BasicSR's; architecture inference.

The original ESRGAN ``RRDB_net`` is one ``nn.Sequential`` named ``model``, built by a helper that
flattens nested sequentials and drops absent norm/activation layers, so its indices are:

=========================================  ==========================  =========================
original key                               module                      BasicSR key
=========================================  ==========================  =========================
``model.0``                                first conv                  ``conv_first``
``model.1.sub.N.RDB{1,2,3}.conv{1..5}.0``  conv of dense block (N<nb)  ``body.N.rdb{1,2,3}.conv{1..5}``
``model.1.sub.{nb}``                       conv closing the trunk      ``conv_body``
``model.2, 5, 8, ...``                     nearest upsampling          (no weights)
``model.3, 6, ..., 3n``                    conv after upsampling i     ``conv_up1``, ..., ``conv_up{n}``
``model.4, 7, ..., 3n + 1``                LeakyReLU                   (no weights)
``model.{3n + 2}``                         HR conv (+ LeakyReLU)       ``conv_hr``
``model.{3n + 4}``                         last conv                   ``conv_last``
=========================================  ==========================  =========================

``model.1`` is a shortcut block (``x + sub(x)``) around the RRDBs and the trunk conv; each dense conv
is a sequential of conv (index 0) and, for conv1..conv4, LeakyReLU. With ``n = 2`` (x4) this gives
the well-known ``model.3``, ``model.6``, ``model.8``, ``model.10``; x2 and x3 have ``n = 1``
(``model.3``, ``model.5``, ``model.7``), x8 has ``n = 3`` (up to ``model.13``).
"""

from __future__ import annotations

import re

import attrs
from torch import Tensor

from gan_engine.errors import GanEngineError

StateDict = dict[str, Tensor]

_DENSE = re.compile(r"^model\.1\.sub\.(\d+)\.RDB([123])\.conv([1-5])\.0\.(weight|bias)$")
_TRUNK_END = re.compile(r"^model\.1\.sub\.(\d+)\.(weight|bias)$")
_TOP = re.compile(r"^model\.(\d+)\.(weight|bias)$")
_BODY = re.compile(r"^body\.(\d+)\.")
_UP = re.compile(r"^conv_up(\d+)\.weight$")
UNSHUFFLE_FACTORS: dict[int, int] = {2: 2, 1: 4}
"""Input pixel-unshuffle factor by scale of the pixel-unshuffle RRDBNets (Real-ESRGAN x2 and x1):
the trunk works at ``1/factor`` of the input and ``conv_up1``/``conv_up2`` bring it back x4."""


def is_original_layout(state: StateDict) -> bool:
    """Whether ``state`` uses the original ESRGAN names (``model.0.weight``, ...)."""
    return any(key.startswith("model.") for key in state)


def to_basicsr_layout(state: StateDict) -> StateDict:
    """Rename original ESRGAN keys to BasicSR's; a BasicSR state dict is returned unchanged.

    Keys that match neither layout are kept as they are, so that strict loading names them.
    """
    if not is_original_layout(state):
        return dict(state)
    top = sorted({int(m[1]) for key in state if (m := _TOP.match(key))})
    n_up = len(top) - 3
    expected = [0, *(3 * i for i in range(1, n_up + 1)), 3 * n_up + 2, 3 * n_up + 4]
    if n_up < 1 or top != expected:
        found = ", ".join(f"model.{index}" for index in top) or "none"
        msg = (
            "original ESRGAN layout: expected convs model.0, model.3, ..., model.3n, "
            f"model.3n+2, model.3n+4 (n >= 1 upsampling stages), found {found}"
        )
        raise GanEngineError(msg)
    names = {0: "conv_first", 3 * n_up + 2: "conv_hr", 3 * n_up + 4: "conv_last"}
    names.update({3 * i: f"conv_up{i}" for i in range(1, n_up + 1)})
    converted: StateDict = {}
    for key, value in state.items():
        converted[_rename(key, names)] = value
    return converted


def _rename(key: str, top_names: dict[int, str]) -> str:
    if m := _DENSE.match(key):
        block, rdb, conv, kind = m.groups()
        return f"body.{block}.rdb{rdb}.conv{conv}.{kind}"
    if m := _TRUNK_END.match(key):
        # the trunk conv closes model.1.sub after the RRDBs; an RRDB index would not match here
        return f"conv_body.{m[2]}"
    if (m := _TOP.match(key)) and int(m[1]) in top_names:
        return f"{top_names[int(m[1])]}.{m[2]}"
    return key


@attrs.frozen
class RRDBNetArchitecture:
    """What a BasicSR-layout RRDBNet state dict says about its architecture."""

    in_channels: int
    out_channels: int
    scale: int
    num_feat: int
    num_block: int
    num_grow_ch: int
    pixel_unshuffle: bool


def infer_architecture(
    state: StateDict, spatial_dims: int, scale: int | None, source: str
) -> RRDBNetArchitecture:
    """Read channels, widths, depth and scale off a BasicSR-layout state dict.

    ``scale`` is inferred from the number of ``conv_up`` layers when ``None``: one gives x2 (pass
    ``scale=3`` for x3 models, which also have one), three give x8, and two give x4, or x2 / x1
    with pixel-unshuffle by 2 / 4 (Real-ESRGAN x2 / x1) when ``conv_first`` takes
    ``2**spatial_dims`` / ``4**spatial_dims`` times the output bands.
    """
    first = _weight(state, "conv_first.weight", source)
    last = _weight(state, "conv_last.weight", source)
    if first.ndim != spatial_dims + 2:
        msg = (
            f"{source}: conv_first.weight has {first.ndim - 2} spatial axes "
            f"({tuple(first.shape)}), expected {spatial_dims} for spatial_dims={spatial_dims}"
        )
        raise GanEngineError(msg)
    blocks = {int(m[1]) for key in state if (m := _BODY.match(key))}
    if not blocks:
        msg = f"{source}: no RRDB found (expected keys 'body.0.rdb1.conv1.weight', ...)"
        raise GanEngineError(msg)
    grow = _weight(state, "body.0.rdb1.conv1.weight", source)
    n_up = len({int(m[1]) for key in state if (m := _UP.match(key))})
    first_in, out_channels = int(first.shape[1]), int(last.shape[0])
    if scale is None:
        if n_up not in (1, 2, 3):
            msg = f"{source}: {n_up} conv_up layers; expected 1 (x2), 2 (x4) or 3 (x8)"
            raise GanEngineError(msg)
        unshuffled = [
            factor_scale
            for factor_scale, factor in UNSHUFFLE_FACTORS.items()
            if n_up == 2 and first_in == factor**spatial_dims * out_channels
        ]
        scale = unshuffled[0] if unshuffled else {1: 2, 2: 4, 3: 8}[n_up]
        unshuffle = bool(unshuffled)
    else:
        expected = {1: (2,), 2: (1, 2), 3: (1,), 4: (2,), 8: (3,)}.get(scale, ())
        if n_up not in expected:
            msg = f"{source}: {n_up} conv_up layers cannot give scale {scale}"
            raise GanEngineError(msg)
        unshuffle = scale in UNSHUFFLE_FACTORS and n_up == 2
        block = UNSHUFFLE_FACTORS[scale] ** spatial_dims if unshuffle else 1
        if first_in % block:
            msg = (
                f"{source}: x{scale} with two conv_up layers needs pixel-unshuffle by "
                f"{UNSHUFFLE_FACTORS[scale]}, so conv_first's {first_in} input channels must be "
                f"divisible by {block}"
            )
            raise GanEngineError(msg)
    block = UNSHUFFLE_FACTORS[scale] ** spatial_dims if unshuffle else 1
    return RRDBNetArchitecture(
        in_channels=first_in // block,
        out_channels=out_channels,
        scale=scale,
        num_feat=int(first.shape[0]),
        num_block=max(blocks) + 1,
        num_grow_ch=int(grow.shape[0]),
        pixel_unshuffle=unshuffle,
    )


def _weight(state: StateDict, key: str, source: str) -> Tensor:
    if key not in state:
        msg = f"{source}: missing key '{key}', which an RRDBNet state dict must have"
        raise GanEngineError(msg)
    return state[key]
