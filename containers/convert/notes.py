"""What a conversion could not carry over, key by key, and the error for input it cannot convert."""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs

from gan_engine.errors import GanEngineError

NoteKind: TypeAlias = Literal["ignored", "approximated", "replaced"]
"""``ignored``: not carried over; ``approximated``: carried over with a stated difference;
``replaced``: a GAN-Engine default or substitute stands in for it."""


class ConversionError(GanEngineError):
    """Input that cannot be converted (not an opensr-srgan config, shapes that disagree, ...)."""


@attrs.frozen
class Note:
    """One source key and why it is not carried over exactly."""

    key: str
    kind: NoteKind
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.kind}: {self.reason}"


@attrs.define
class Notes:
    """The notes of one conversion, in the order they were made."""

    items: list[Note] = attrs.field(factory=list)

    def ignored(self, key: str, reason: str) -> None:
        """``key`` is not carried over, because ``reason``."""
        self.items.append(Note(key, "ignored", reason))

    def approximated(self, key: str, reason: str) -> None:
        """``key`` is carried over with the difference ``reason`` states."""
        self.items.append(Note(key, "approximated", reason))

    def replaced(self, key: str, reason: str) -> None:
        """``key`` is replaced by what ``reason`` names."""
        self.items.append(Note(key, "replaced", reason))
