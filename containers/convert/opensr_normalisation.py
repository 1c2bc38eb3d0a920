"""opensr-srgan's ``Data.normalization`` → a GAN-Engine ``Normalisation`` section.

opensr-srgan clamps after normalising and after denormalising; GAN-Engine's fixed normalisers are
exact affine maps without clipping, so the two agree wherever opensr-srgan does not clamp (values
in the method's nominal range) and every conversion says so in its note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from containers.convert.notes import ConversionError, Notes

_ALIASES: Mapping[str, str] = {
    "normalize_10k": "normalise_10k",
    "reflectance": "normalise_10k",
    "reflectance_0_1": "normalise_10k",
    "reflectance_signed": "normalise_10k_signed",
    "normalize_10k_signed": "normalise_10k_signed",
    "sentinel2": "normalise_10k",
    "sentinel2_signed": "normalise_10k_signed",
    "s2": "normalise_10k",
    "s2_signed": "normalise_10k_signed",
    "normalize_s2": "normalise_s2",
    "zero_to_one": "zero_one",
    "zero_one_range": "zero_one",
    "signed_zero_one": "zero_one_signed",
    "minusone_one": "zero_one_signed",
    "none": "identity",
}


@attrs.frozen(kw_only=True)
class NormalisationMapping:
    """A converted normalisation: the section, the network's value range, and what differs."""

    section: dict[str, Any]
    value_range: tuple[float, float]
    difference: str | None


def _minmax(low: float, high: float, target: str) -> dict[str, Any]:
    return {
        "name": "minmax",
        "params": {"minimum": [low], "maximum": [high], "target": target},
    }


_TABLE: Mapping[str, NormalisationMapping] = {
    "normalise_10k": NormalisationMapping(
        section=_minmax(0.0, 10000.0, "zero_one"),
        value_range=(0.0, 1.0),
        difference="exact on 0..10000; opensr-srgan clamps values outside it, GAN-Engine does not",
    ),
    "normalise_10k_signed": NormalisationMapping(
        section=_minmax(0.0, 10000.0, "minus_one_one"),
        value_range=(-1.0, 1.0),
        difference="exact on 0..10000; opensr-srgan clamps values outside it, GAN-Engine does not",
    ),
    "zero_one": NormalisationMapping(
        section={"name": "identity", "params": {}},
        value_range=(0.0, 1.0),
        difference="exact on 0..1; opensr-srgan clamps values outside it, GAN-Engine does not",
    ),
    "zero_one_signed": NormalisationMapping(
        section=_minmax(0.0, 1.0, "minus_one_one"),
        value_range=(-1.0, 1.0),
        difference="exact on 0..1; opensr-srgan clamps values outside it, GAN-Engine does not",
    ),
    "identity": NormalisationMapping(
        section={"name": "identity", "params": {}}, value_range=(-1.0, 1.0), difference=None
    ),
    "sen2_stretch": NormalisationMapping(
        # opensr-srgan: normalise = clamp(x * 10/3, 0, 1), denormalise = clamp(x * 3/10, 0, 1)
        section={"name": "fixed_scale", "params": {"scale": [0.3], "offset": [0.0]}},
        value_range=(0.0, 1.0),
        difference=(
            "approximated by x / 0.3 (its inverse x * 0.3 is opensr-srgan's own denormalisation): "
            "exact for reflectance 0..0.3; opensr-srgan saturates brighter pixels at 1 (not "
            "invertible there), GAN-Engine keeps them linear above 1"
        ),
    ),
    "normalise_s2": NormalisationMapping(
        section=_minmax(0.0, 0.3, "minus_one_one"),
        value_range=(-1.0, 1.0),
        difference="exact on reflectance 0..0.3; opensr-srgan clamps outside it, GAN-Engine does not",
    ),
}

METHODS: tuple[str, ...] = tuple(_TABLE)
"""The opensr-srgan normalisation methods the converter maps."""


def map_normalisation(raw: object, notes: Notes) -> NormalisationMapping:
    """Map ``Data.normalization`` (a name, an alias, or a mapping with ``name``) to GAN-Engine.

    opensr-srgan's default, when the key is absent, is ``sen2_stretch``.

    Raises:
        ConversionError: custom callables, or a name opensr-srgan does not know.
    """
    key = "Data.normalization"
    if raw is None:
        raw = "sen2_stretch"
        notes.replaced(key, "absent: opensr-srgan's default 'sen2_stretch' is converted")
    if isinstance(raw, Mapping):
        name = raw.get("name") or raw.get("method") or "custom"
        if str(name).strip().lower() == "custom":
            msg = (
                f"{key}: custom normalisation callables ({dict(raw)}) cannot be converted; write a "
                "GAN-Engine normaliser plugin or pick a fixed normaliser (identity, fixed_scale, minmax)"
            )
            raise ConversionError(msg)
        raw = name
    method = str(raw).strip().lower().replace("normalize", "normalise")
    method = _ALIASES.get(method, method)
    found = _TABLE.get(method)
    if found is None:
        msg = f"{key}: unknown opensr-srgan normalisation {raw!r}; expected one of {list(METHODS)}"
        raise ConversionError(msg)
    if found.difference is not None:
        notes.approximated(f"{key} ({method})", found.difference)
    return found
