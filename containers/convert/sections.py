"""Reading one section of a foreign config while recording which keys were used."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from containers.convert.notes import ConversionError, Notes


class Section:
    """A mapping read key by key; :meth:`leftovers` notes every key nobody read.

    Args:
        path: dotted path of the section in the source config (``Training.Losses``).
        data: the section's mapping (``None`` or absent: empty).
    """

    def __init__(self, path: str, data: object) -> None:
        if data is not None and not isinstance(data, Mapping):
            msg = f"{path}: expected a mapping of keys, got {type(data).__name__} {data!r}"
            raise ConversionError(msg)
        self.path = path
        self.data: Mapping[str, Any] = data or {}
        self.read: set[str] = set()

    def key(self, name: str) -> str:
        """The dotted path of ``name`` in this section."""
        return f"{self.path}.{name}"

    def has(self, name: str) -> bool:
        """Whether the section sets ``name`` (to anything but null)."""
        return self.data.get(name) is not None

    def raw(self, name: str, default: Any = None) -> Any:
        """The value of ``name`` as written (``default`` when absent or null); marks it read."""
        self.read.add(name)
        value = self.data.get(name)
        return default if value is None else value

    def sub(self, name: str) -> Section:
        """The nested section ``name``."""
        self.read.add(name)
        return Section(self.key(name), self.data.get(name))

    def number(self, name: str, default: float) -> float:
        """``name`` as a float (YAML 1.1 strings such as ``1e-4`` included)."""
        value = self.raw(name, default)
        if isinstance(value, bool):
            msg = f"{self.key(name)}: expected a number, got {value!r}"
            raise ConversionError(msg)
        try:
            return float(value)
        except (TypeError, ValueError) as error:
            msg = f"{self.key(name)}: expected a number, got {value!r}"
            raise ConversionError(msg) from error

    def integer(self, name: str, default: int) -> int:
        """``name`` as an int."""
        value = self.number(name, default)
        if value != int(value):
            msg = f"{self.key(name)}: expected an integer, got {value!r}"
            raise ConversionError(msg)
        return int(value)

    def flag(self, name: str, default: bool) -> bool:
        """``name`` as a bool (opensr configs write ``False`` or a path for some flags)."""
        value = self.raw(name, default)
        if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", ""):
            return False
        return bool(value)

    def text(self, name: str, default: str) -> str:
        """``name`` as a lower-case string."""
        return str(self.raw(name, default)).strip().lower()

    def leftovers(self, notes: Notes, reasons: Mapping[str, str]) -> None:
        """Note every key not read: with its reason from ``reasons``, else as unknown to opensr."""
        for name in self.data:
            if name in self.read:
                continue
            reason = reasons.get(name, "not a key opensr-srgan 0.5 reads; nothing to convert")
            notes.ignored(self.key(name), reason)
