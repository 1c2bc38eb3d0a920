"""Precision and layout settings, and the Lightning spellings of precision they accept."""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

Precision: TypeAlias = Literal["32", "16-mixed", "bf16-mixed"]
"""A concrete training or inference precision (Lightning's names)."""
PrecisionSetting: TypeAlias = Literal["auto", "32", "16-mixed", "bf16-mixed"]
"""A precision as a user sets it: concrete, or ``auto`` (chosen from the hardware at start)."""
LayoutSetting: TypeAlias = bool | Literal["auto"]
"""Channels-last on (``true``), off (``false``) or chosen from the hardware (``auto``)."""

PRECISIONS: tuple[Precision, ...] = get_args(Precision)
PRECISION_SETTINGS: tuple[PrecisionSetting, ...] = get_args(PrecisionSetting)

# What users bring from Lightning, mapped to the names above; bools are never precisions.
_SPELLINGS: dict[object, PrecisionSetting] = {
    "auto": "auto",
    32: "32",
    "32": "32",
    "32-true": "32",
    16: "16-mixed",
    "16": "16-mixed",
    "16-mixed": "16-mixed",
    "bf16": "bf16-mixed",
    "bf16-mixed": "bf16-mixed",
}
PRECISION_SPELLINGS: tuple[object, ...] = tuple(_SPELLINGS)
"""Every value :func:`normalise_precision` accepts (the spec's JSON Schema lists them)."""
ACCEPTED_SPELLINGS = (
    "'auto', '32' (or 32, '32-true'), '16-mixed' (or 16, '16'), 'bf16-mixed' (or 'bf16')"
)
"""The accepted precision values, as error messages list them."""


def normalise_precision(value: object) -> PrecisionSetting:
    """Map ``32``, ``'32'``, ``16``, ``'16'``, ``'bf16'``, … to ``'32'``, ``'16-mixed'``, ``'bf16-mixed'``.

    Raises:
        ValueError: anything else (a bool included), naming the accepted values and the value found.
    """
    if not isinstance(value, bool) and isinstance(value, int | str):
        key: object = value.strip().lower() if isinstance(value, str) else int(value)
        found = _SPELLINGS.get(key)
        if found is not None:
            return found
    shown = f"'{value}'" if isinstance(value, str) else _yaml_word(value)
    msg = f"expected one of {ACCEPTED_SPELLINGS}, got {shown}"
    raise ValueError(msg)


def _yaml_word(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
