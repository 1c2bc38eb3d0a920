"""Validators for component parameter classes that name the offending key.

Parameter classes are attrs classes; these validators raise :class:`~gan_engine.errors.InvalidParamError`
carrying the attribute name, so the spec layer can point at the exact YAML line. A parameter class may also
define ``check(context)`` for constraints that depend on the run (dims, channels, scale, files on disk).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

from gan_engine.errors import InvalidParamError
from gan_engine.param_validators import at_least, each, in_range, odd, one_of
from gan_engine.types import BuildContext

__all__ = [
    "ContextChecked",
    "Validator",
    "at_least",
    "channel_list_fits",
    "each",
    "in_range",
    "odd",
    "one_of",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


@runtime_checkable
class ContextChecked(Protocol):
    """A parameter class whose values must agree with the run's dims, channels or scale."""

    def check(self, context: BuildContext) -> Iterable[InvalidParamError]:
        """Yield one error per problem; nothing when the parameters fit the context."""
        ...


def channel_list_fits(key: str, values: Sequence[Any], channels: int) -> list[InvalidParamError]:
    """A per-channel list must hold one value (broadcast) or one per channel."""
    if len(values) in (1, channels):
        return []
    return [
        InvalidParamError(
            key, f"expected 1 or {channels} values (one per channel), got {len(values)}"
        )
    ]
