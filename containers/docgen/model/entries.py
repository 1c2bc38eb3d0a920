"""The built-in components the docs describe, by registry kind.

Where a spec names them is :data:`containers.spec.sites.COMPONENT_SITES`, the loader's own table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gan_engine.registry import Entry, Registry


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
