"""How much overlap a generator needs: its receptive-field radius, from its parameters or registry entry.

A generator's parameter class may define ``receptive_field(scale) -> int | None`` (the radius for those
parameters); otherwise the registry's :attr:`~gan_engine.registry.Capabilities.receptive_field` holds
for the default parameters only. ``None`` means unbounded (channel attention, global pooling) or
unknown; tiling then warns and falls back to :data:`DEFAULT_OVERLAP`.
"""

from __future__ import annotations

import warnings
from typing import Any

from gan_engine.inference.errors import UnboundedReceptiveFieldWarning
from gan_engine.protocols import Generator
from gan_engine.registry import GENERATORS

DEFAULT_OVERLAP = 32
"""Overlap (input pixels) used when a generator's receptive field is unbounded or unknown."""


def generator_receptive_field(generator: Generator) -> int | None:
    """Receptive-field radius of ``generator`` in input pixels, or ``None`` if unbounded or unknown."""
    params: Any = getattr(generator, "params", None)
    method = getattr(params, "receptive_field", None)
    if callable(method):
        radius = method(generator.scale)
        return None if radius is None else int(radius)
    for entry in GENERATORS.entries():
        factory: object = entry.factory
        if factory is type(generator):
            if params is None or params == _default_params(entry.params_cls):
                return entry.capabilities.receptive_field
            return None
    return None


def _default_params(params_cls: type[Any]) -> object:
    try:
        return params_cls()
    except TypeError:  # a parameter class with required fields has no defaults to compare with
        return object()


def resolve_overlap(receptive_field: int | None, overlap: int | None, multiple: int = 1) -> int:
    """The overlap to tile with: ``overlap`` if given, else the receptive field rounded up to ``multiple``.

    Warns with :class:`UnboundedReceptiveFieldWarning` when the receptive field is unknown (and no
    overlap was given) or larger than the overlap asked for: tiles then differ from the untiled
    result near their edges.
    """
    if overlap is not None:
        if overlap < 0:
            msg = f"overlap must be >= 0, got {overlap}"
            raise ValueError(msg)
        if receptive_field is not None and overlap < receptive_field:
            warnings.warn(
                f"overlap {overlap} is below the model's receptive-field radius "
                f"{receptive_field}: tiles will not match the untiled result near their edges",
                UnboundedReceptiveFieldWarning,
                stacklevel=2,
            )
        return overlap
    if receptive_field is None:
        warnings.warn(
            "the model's receptive field is unbounded or unknown (e.g. channel attention or "
            f"global pooling): tiling with a default overlap of {DEFAULT_OVERLAP} pixels and "
            "blending tiles; results differ slightly from an untiled pass",
            UnboundedReceptiveFieldWarning,
            stacklevel=2,
        )
        return DEFAULT_OVERLAP
    return -(-receptive_field // multiple) * multiple


def input_multiple(generator: Generator) -> int:
    """What input sizes and tile starts must be multiples of (1 for most generators).

    2 for pixel-unshuffle heads; ``2 ** depth`` for U-Nets, so their strided layers see the same
    grid in every tile.

    Read off the generator's parameters (``pixel_unshuffle``, as RRDBNet's, or an
    ``input_multiple()`` method), since the registry's capabilities do not record it.
    """
    params: Any = getattr(generator, "params", None)
    method = getattr(params, "input_multiple", None)
    if callable(method):
        return int(method())
    return 2 if getattr(params, "pixel_unshuffle", False) else 1
