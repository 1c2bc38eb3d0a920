"""Where a spec names registered components, and which registry resolves each place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from containers.spec.schema import NormalisationSpec, TaskSpec
from gan_engine.registry import Entry, Registry

ITEM = "[i]"
"""Path part standing for every item of a list (``Losses[i]``)."""


def dotted(path: tuple[str, ...]) -> str:
    """A key path as the docs write it: ``("Losses", "[i]", "schedule")`` → ``Losses[i].schedule``."""
    return ".".join(path).replace(f".{ITEM}", ITEM)


@attrs.frozen
class ComponentSite:
    """A spec section that names a component of one kind and carries its ``params``.

    Attributes:
        path: the section's path (``("Losses", "[i]")`` for every loss term).
        kind: the registry that resolves the name (``generator``, ``loss``, …).
        name_key: the key holding the name (``name``, or ``dataset`` in ``Data``).
        default_name: the name used when the key is absent (``None``: the key is required).
    """

    path: tuple[str, ...]
    kind: str
    name_key: str = "name"
    default_name: str | None = None

    @property
    def dotted(self) -> str:
        """The path as written in the docs: ``Normalisation.lr``, ``Losses[i]``."""
        return dotted(self.path)


COMPONENT_SITES: tuple[ComponentSite, ...] = (
    ComponentSite(("Data",), "dataset", name_key="dataset"),
    ComponentSite(("Task",), "task", default_name=TaskSpec().name),
    ComponentSite(("Generator",), "generator"),
    ComponentSite(("Discriminator",), "discriminator"),
    ComponentSite(("Losses", ITEM), "loss"),
    ComponentSite(("Normalisation",), "normaliser", default_name=NormalisationSpec().name),
    ComponentSite(("Normalisation", "lr"), "normaliser"),
    ComponentSite(("Normalisation", "hr"), "normaliser"),
    ComponentSite(("Validation", "metrics", ITEM), "metric"),
)
"""Every place a spec names a component (what the loader's component pass resolves)."""


def site_at(path: tuple[str, ...]) -> ComponentSite | None:
    """The component site at ``path``, if there is one."""
    return next((site for site in COMPONENT_SITES if site.path == path), None)


def builtin_entries(registry: Registry[Any]) -> list[Entry[Any]]:
    """The built-in components of a registry, sorted by name; fails if a built-in did not load.

    Plugins are left out so the generated docs are the same on every machine, whatever is installed.
    """
    broken = {where: why for where, why in registry.broken().items() if "entry point" not in where}
    if broken:
        failures = "; ".join(f"{where}: {why}" for where, why in sorted(broken.items()))
        msg = f"cannot document the {registry.kind} registry: built-in modules failed to load: {failures}"
        raise RuntimeError(msg)
    return [entry for entry in registry.entries() if entry.origin == "builtin"]


def entries_by_kind(registries: Mapping[str, Registry[Any]]) -> dict[str, list[Entry[Any]]]:
    """Built-in entries of every registry, by kind."""
    return {kind: builtin_entries(registry) for kind, registry in registries.items()}
