"""Registers the toy hole-conditioned task and generator (import it, or name it in a spec).

A spec names them as ``tests.tasks.toy_task:HoleConditionedSR`` and
``tests.tasks.toy_task:HoleConditionedGenerator``; importing this module registers both. Tests that run
in the pytest process use :mod:`tests.tasks.toy_components` directly instead, so the global registries
other tests enumerate stay as they are; tests through the CLI run in a subprocess.
"""

from __future__ import annotations

from gan_engine.registry import Capabilities, NoParams, register_generator, register_task
from tests.tasks.toy_components import HoleConditionedGenerator, HoleConditionedSR, ToyParams

register_task(
    "toy_hole_sr",
    params=NoParams,
    capabilities=Capabilities(spatial_dims=frozenset({2}), generator_needs=frozenset({"mask"})),
)(HoleConditionedSR)
register_generator(
    "toy_hole_generator",
    params=ToyParams,
    capabilities=Capabilities(spatial_dims=frozenset({2}), conditioning=frozenset({"mask"})),
)(HoleConditionedGenerator)

__all__ = ["HoleConditionedGenerator", "HoleConditionedSR"]
