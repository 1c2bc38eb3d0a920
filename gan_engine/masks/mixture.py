"""A mixture of mask generators: each mask comes from one member, drawn with its probability."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.masks.choice import build_mask_params
from gan_engine.protocols import MaskGenerator
from gan_engine.registry import MASK_GENERATORS, Capabilities, register_mask_generator
from gan_engine.types import Sample

PROBABILITY_TOLERANCE = 1e-6
"""How far the members' probabilities may sum from 1 (rounding in YAML decimals)."""


@attrs.frozen(kw_only=True)
class MixtureMember:
    """One member of a :class:`Mixture`.

    Attributes:
        name: a registered mask generator (not ``mixture``).
        probability: the chance that a mask comes from this member, in ``[0, 1]``.
        params: the member's own parameters (as under its ``params`` when used alone).
    """

    name: str
    probability: float
    params: dict[str, Any] = attrs.field(factory=dict)


def _as_members(value: Any) -> Any:
    """Mappings (as a spec gives them inside a task's ``masks.params``) become :class:`MixtureMember`."""
    if not isinstance(value, list):
        return value
    members = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            try:
                item = MixtureMember(**item)
            except TypeError as error:
                key = f"members.{index}"
                msg = f"expected name, probability and params: {error}"
                raise InvalidParamError(key, msg) from None
        members.append(item)
    return members


def _check_members(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: a non-empty list of valid members whose probabilities sum to 1."""
    if not isinstance(value, list) or not value:
        msg = f"expected a non-empty list of members, got {value!r}"
        raise InvalidParamError(attribute.name, msg)
    for index, member in enumerate(value):
        key = f"{attribute.name}.{index}.probability"
        probability = member.probability
        if isinstance(probability, bool) or not isinstance(probability, int | float):
            raise InvalidParamError(key, f"expected a number, got {probability!r}")
        if not 0.0 <= probability <= 1.0:
            raise InvalidParamError(key, f"expected a probability in [0, 1], got {probability}")
        build_mask_params(member.name, member.params, f"{attribute.name}.{index}", nested=True)
    total = sum(member.probability for member in value)
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        listed = " + ".join(f"{member.probability} ({member.name})" for member in value)
        msg = f"the probabilities must sum to 1, got {listed} = {total:g}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class MixtureParams:
    """Parameters of :class:`Mixture`.

    Attributes:
        members: the generators to draw from, each with its probability (summing to 1) and params.
    """

    members: list[MixtureMember] = attrs.field(
        factory=lambda: [
            MixtureMember(name="strokes", probability=0.5),
            MixtureMember(name="boxes", probability=0.5),
        ],
        converter=_as_members,
        validator=_check_members,
    )


@register_mask_generator(
    "mixture", params=MixtureParams, capabilities=Capabilities(spatial_dims=frozenset({2, 3}))
)
class Mixture:
    """Draws each mask from one member generator chosen with the members' probabilities."""

    name = "mixture"

    def __init__(self, params: MixtureParams | None = None) -> None:
        self.params = params or MixtureParams()
        self.members: list[MaskGenerator] = []
        for index, member in enumerate(self.params.members):
            entry = MASK_GENERATORS.get(member.name)
            params = build_mask_params(member.name, member.params, f"members.{index}", nested=True)
            built = entry.factory(params)
            self.members.append(built)
        weights = np.array([member.probability for member in self.params.members], dtype=float)
        self.probabilities = weights / weights.sum()

    def __call__(
        self, shape: Sequence[int], rng: np.random.Generator, sample: Sample | None = None
    ) -> Tensor:
        """A hole mask ``[1, *shape]`` from a member drawn with its probability."""
        index = int(rng.choice(len(self.members), p=self.probabilities))
        return self.members[index](shape, rng, sample)
