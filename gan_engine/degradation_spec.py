"""How a dataset's ``degradation`` parameter is written: a simple mode or an ordered list of stages.

A dataset's ``degradation`` is either a simple mode (``bicubic``, ``area``, ``trilinear``), made per
sample in the dataset, or an ordered list of registered degradation stages (see
:mod:`gan_engine.degradations`), applied per batch on the training device. The list items are
:class:`DegradationStageSpec` once the spec layer has validated them (plain mappings before).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from gan_engine.errors import InvalidParamError
from gan_engine.param_validators import in_range
from gan_engine.registry import Entry


@attrs.frozen(kw_only=True)
class DegradationStageSpec:
    """One stage of a degradation pipeline.

    Attributes:
        name: registered degradation stage (``blur``, ``resize``, ``gaussian_noise``, ``jpeg``, …).
        p: probability that a sample goes through the stage (per sample, from its seed).
        params: the stage's parameters (an instance of its own class once validated).
        entry: the registry entry of ``name``, kept by the spec layer that looked it up (not an
            ``__init__`` argument, not compared; ``None`` for a stage made in Python).
    """

    name: str
    p: float = attrs.field(default=1.0, validator=in_range(0.0, 1.0))
    params: Any = attrs.field(factory=dict)
    entry: Entry[Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)


def pipeline_stages(value: object) -> tuple[DegradationStageSpec, ...] | None:
    """The stages of a ``degradation`` value, or ``None`` for a simple mode (a string)."""
    if isinstance(value, str):
        return None
    if isinstance(value, Sequence) and all(isinstance(v, DegradationStageSpec) for v in value):
        return tuple(value)
    msg = f"expected a mode name or a list of degradation stages, got {value!r}"
    raise TypeError(msg)


def simple_mode(value: object, default: str) -> str:
    """The per-sample mode: ``value`` when it is one, ``default`` when ``value`` is a stage list.

    With a stage list the dataset still makes a cheap LR (``default``), which the batch pipeline
    replaces; validation and normaliser fitting before the pipeline see that LR.
    """
    return value if isinstance(value, str) else default


@attrs.frozen
class ModeOrStages:
    """attrs validator: a mode in ``choices`` or a non-empty list of stages."""

    choices: tuple[str, ...]

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Raise :class:`InvalidParamError` naming ``attribute`` for anything else."""
        if isinstance(value, str):
            if value not in self.choices:
                msg = f"expected one of {list(self.choices)} or a list of stages, got {value!r}"
                raise InvalidParamError(attribute.name, msg)
            return
        if not isinstance(value, Sequence) or not value:
            msg = (
                f"expected one of {list(self.choices)} or a non-empty list of stages, got {value!r}"
            )
            raise InvalidParamError(attribute.name, msg)

    def describe(self) -> str:
        """The constraint for people."""
        return "a list: degradation stages (see the degradation components)"

    def json_schema(self) -> dict[str, Any]:
        """The constraint as JSON Schema keywords."""
        return {}


def mode_or_stages(choices: Sequence[str]) -> ModeOrStages:
    """A validator accepting a simple mode in ``choices`` or a list of stages."""
    return ModeOrStages(tuple(choices))
