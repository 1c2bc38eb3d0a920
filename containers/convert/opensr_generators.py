"""opensr-srgan's ``Generator`` section → a GAN-Engine generator name and parameters.

opensr-srgan 0.5 builds four generator families from ``Generator.model_type`` (with
``block_type`` for SRResNet): the BN SRResNet (``standard``), its "flexible" generator (``res``,
``rcab``, ``rrdb``, ``lka`` blocks with hyper-parameters fixed in its code: residual scale 0.2,
channel reduction 16, growth ``max(16, n_channels // 3)``, 3x3 upsampling convs), ESRGAN and a
stochastic generator. Each maps onto ``srresnet``, ``rrdbnet`` or ``stochastic_srresnet`` with the
options that reproduce its layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs

from containers.convert.notes import ConversionError, Notes

OpensrKind: TypeAlias = Literal["standard", "res", "rcab", "rrdb", "lka", "esrgan", "stochastic"]
"""opensr-srgan's generator layouts, by the name its block or model type gives them."""

FLEXIBLE_RESIDUAL_SCALE = 0.2
"""Residual scale opensr-srgan's flexible generator fixes for every block type."""

FLEXIBLE_REDUCTION = 16
"""Channel reduction of the flexible generator's ``rcab`` blocks."""

_BLOCK_ALIASES: Mapping[str, frozenset[str]] = {
    "standard": frozenset({"standard", "srresnet", "vanilla", "classic", "default", "basic"}),
    "res": frozenset({"res", "residual", "resblocks"}),
    "rcab": frozenset({"rcab", "attention", "channel_attention"}),
    "rrdb": frozenset({"rrdb", "dense", "residual_in_residual"}),
    "lka": frozenset({"lka", "large_kernel"}),
}
_MODEL_ALIASES: Mapping[str, frozenset[str]] = {
    "srresnet": frozenset({"srresnet", "sr_resnet"}),
    "esrgan": frozenset({"esrgan", "rrdbnet", "rrdb_net"}),
    "stochastic": frozenset(
        {
            "stochastic_gan",
            "stochastic",
            "stochasticgan",
            "cgan",
            "conditional_cgan",
            "conditional_gan",
        }
    ),
}

_BLOCK_KINDS: Mapping[str, OpensrKind] = {
    "standard": "standard",
    "res": "res",
    "rcab": "rcab",
    "rrdb": "rrdb",
    "lka": "lka",
}

GENERATOR_KEYS = frozenset(
    {
        "model_type",
        "block_type",
        "large_kernel_size",
        "small_kernel_size",
        "n_channels",
        "n_blocks",
        "scaling_factor",
        "growth_channels",
        "res_scale",
        "noise_dim",
        "out_channels",
        "use_icnr",
    }
)
"""Keys of opensr-srgan's ``Generator`` section that the converter reads."""


@attrs.frozen(kw_only=True)
class GeneratorMapping:
    """A converted generator: GAN-Engine ``name``/``params``, and the geometry it implies."""

    kind: OpensrKind
    name: str
    params: dict[str, Any]
    scale: int
    out_channels: int
    n_blocks: int


def _canonical(value: object) -> str:
    return str(value).strip().lower().replace(" ", "_").replace("-", "_")


def _match(value: str, table: Mapping[str, frozenset[str]]) -> str | None:
    for canonical, aliases in table.items():
        if value == canonical or value in aliases:
            return canonical
    return None


def opensr_kind(section: Mapping[str, Any]) -> OpensrKind:
    """The layout ``Generator.model_type``/``block_type`` select (legacy block-as-model included)."""
    raw = _canonical(section.get("model_type", "srresnet"))
    model = _match(raw, _MODEL_ALIASES)
    legacy_block = None
    if model is None:
        legacy_block = _match(raw, _BLOCK_ALIASES)
        if legacy_block is None:
            known = sorted({*_MODEL_ALIASES, *_BLOCK_ALIASES})
            msg = f"Generator.model_type: unknown opensr-srgan generator {raw!r}; expected one of {known}"
            raise ConversionError(msg)
        model = "srresnet"
    if model == "esrgan":
        return "esrgan"
    if model == "stochastic":
        return "stochastic"
    block_raw = section.get("block_type")
    block = legacy_block if block_raw is None else _match(_canonical(block_raw), _BLOCK_ALIASES)
    if block is None and block_raw is not None:
        msg = (
            f"Generator.block_type: unknown opensr-srgan block {block_raw!r}; expected one of "
            f"{sorted(_BLOCK_ALIASES)}"
        )
        raise ConversionError(msg)
    return _BLOCK_KINDS[block or "standard"]


def _int(section: Mapping[str, Any], key: str, default: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        msg = f"Generator.{key}: expected an integer, got {value!r}"
        raise ConversionError(msg)
    return int(value)


def _float(section: Mapping[str, Any], key: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        msg = f"Generator.{key}: expected a number, got {value!r}"
        raise ConversionError(msg)
    try:
        return float(value)
    except ValueError as error:
        msg = f"Generator.{key}: expected a number, got {value!r}"
        raise ConversionError(msg) from error


def map_generator(section: Mapping[str, Any], in_bands: int, notes: Notes) -> GeneratorMapping:
    """Map opensr-srgan's ``Generator`` section (``in_bands`` from ``Model``) to GAN-Engine's.

    Keys the chosen layout ignores in opensr-srgan are noted as ignored, with the reason.

    Raises:
        ConversionError: an unknown model or block type, or a layout GAN-Engine cannot reproduce.
    """
    kind = opensr_kind(section)
    scale = _int(section, "scaling_factor", 4)
    width = _int(section, "n_channels", 64)
    blocks = _int(section, "n_blocks", 23 if kind == "esrgan" else 16)
    large = _int(section, "large_kernel_size", 9)
    small = _int(section, "small_kernel_size", 3)
    used = {"model_type", "block_type", "scaling_factor", "n_channels", "n_blocks"}
    out_channels = in_bands
    if kind == "esrgan":
        used |= {"growth_channels", "res_scale", "out_channels", "use_icnr"}
        out_channels = _int(section, "out_channels", in_bands)
        if scale == 1:
            msg = (
                "Generator.scaling_factor: opensr-srgan's ESRGAN at scale 1 is not "
                "super-resolution; GAN-Engine needs 2, 3, 4 or 8"
            )
            raise ConversionError(msg)
        params: dict[str, Any] = {
            "num_feat": width,
            "num_block": blocks,
            "num_grow_ch": _int(section, "growth_channels", 32),
            "residual_scale": _float(section, "res_scale", 0.2),
            "dense_skip": False,
            "upsampler": "subpixel",
        }
        if "use_icnr" in section:
            notes.ignored(
                "Generator.use_icnr", "an initialisation choice; converted weights replace it"
            )
        name = "rrdbnet"
    else:
        used |= {"large_kernel_size", "small_kernel_size"}
        if kind != "standard" and small != 3:
            msg = (
                f"Generator.small_kernel_size: {small} with {kind!r} blocks: opensr-srgan then uses "
                f"{small}x{small} body convs but fixed 3x3 upsampling (and dense) convs, a mix "
                "GAN-Engine's srresnet does not build; only 3 converts"
            )
            raise ConversionError(msg)
        params = {
            "n_channels": width,
            "n_blocks": blocks,
            "kernel_size": small,
            "head_kernel_size": large,
            "activation": "prelu",
            "global_skip": False,
        }
        name = "srresnet"
        if kind == "standard":
            params |= {"block": "res", "norm": "batch", "output_activation": "tanh"}
        elif kind == "stochastic":
            used |= {"noise_dim", "res_scale"}
            params |= {
                "block": "res",
                "residual_scale": _float(section, "res_scale", 0.2),
                "latent_dim": _int(section, "noise_dim", 128),
                "mapping_channels": width,
                "modulation": "block",
            }
            name = "stochastic_srresnet"
        else:
            params |= {"block": kind, "residual_scale": FLEXIBLE_RESIDUAL_SCALE}
            if kind == "rcab":
                params["reduction"] = FLEXIBLE_REDUCTION
            elif kind == "rrdb":
                params |= {"growth_channels": max(16, width // 3), "dense_skip": False}
            elif kind == "lka":
                params |= {"lka_conv_kernel_size": 3, "lka_gate": "sigmoid"}
    for key in sorted(set(section) - used):
        reason = (
            "not a key opensr-srgan 0.5 reads"
            if key not in GENERATOR_KEYS
            else f"opensr-srgan ignores it for the {kind!r} generator"
        )
        notes.ignored(f"Generator.{key}", reason)
    return GeneratorMapping(
        kind=kind, name=name, params=params, scale=scale, out_channels=out_channels, n_blocks=blocks
    )
