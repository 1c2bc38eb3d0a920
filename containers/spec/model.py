"""What rebuilding a trained model needs of a run spec, and nothing of its training.

Prediction and export rebuild the task, generator and normaliser from a checkpoint's resolved spec
on a machine that may have neither the training data, nor pretrained weight files, nor the modules
of training-only hooks. They therefore validate a :class:`ModelSpec`: the data geometry
(``dimensions``, ``channels``, ``scale``), ``Generator`` (``name``, ``params``), ``Normalisation``
and ``Task`` (what a batch means and how the generator is conditioned), cut out of the whole spec by
:func:`model_tree`. Everything else (dataset and its folders, losses, discriminator, callbacks and
hooks, logging, Trainer) is training's alone and is not looked at.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from containers.spec.schema import GeneratorSpec, NormalisationSpec, TaskSpec
from gan_engine.params import at_least

# the keys of each section a model is rebuilt from; None: the whole section
MODEL_KEYS: dict[str, tuple[str, ...] | None] = {
    "Data": ("dimensions", "channels", "scale"),
    "Generator": ("name", "params"),
    "Normalisation": None,
    "Task": None,
}


@attrs.frozen
class ModelDataSpec:
    """The data geometry a model is built for (the defaults are :class:`DataSpec`'s, checked by a test).

    Attributes:
        dimensions: ``2d`` images or ``3d`` volumes.
        channels: bands per image.
        scale: super-resolution factor.
    """

    dimensions: Literal["2d", "3d"] = "2d"
    channels: int = attrs.field(default=3, validator=at_least(1))
    scale: int = attrs.field(default=4, validator=at_least(1))

    @property
    def spatial_dims(self) -> Literal[2, 3]:
        """``dimensions`` as a number of spatial axes."""
        return 2 if self.dimensions == "2d" else 3


@attrs.frozen
class ModelSpec:
    """The sections of a run spec that rebuild its task, generator and normaliser."""

    Data: ModelDataSpec
    Generator: GeneratorSpec
    Normalisation: NormalisationSpec = attrs.field(factory=NormalisationSpec)
    Task: TaskSpec = attrs.field(factory=TaskSpec)


def model_tree(tree: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a spec ``tree`` named by :data:`MODEL_KEYS` (a shallow copy).

    A section that is not a mapping is kept as it is, for validation to report.
    """
    kept: dict[str, Any] = {}
    for section, keys in MODEL_KEYS.items():
        if section not in tree:
            continue
        value = tree[section]
        if keys is None or not isinstance(value, Mapping):
            kept[section] = value
        else:
            kept[section] = {key: value[key] for key in keys if key in value}
    return kept
