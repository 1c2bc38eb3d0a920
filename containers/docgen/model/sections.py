"""The spec's sections: every attrs class reachable from ``Spec``, with each path it appears at."""

from __future__ import annotations

from typing import Any

import attrs

from containers.docgen.model.fields import FieldInfo, fields_of, is_list_of, nested_classes
from containers.spec.sites import ITEM, site_at

SectionKey = tuple[type[Any], str | None]
"""A section is one attrs class at places naming components of one kind (``None``: no component)."""


@attrs.define
class Section:
    """One attrs class of the spec and every path at which a spec holds it.

    A class holding components of different kinds (``ComponentSpec`` at ``Discriminator`` and at
    ``Normalisation.lr``) makes one section per kind, since its names and parameters differ.

    Attributes:
        cls: the attrs class.
        kind: the registry its component names belong to, if any.
        paths: where it appears, as key tuples (``("Training", "ema")``, ``("Losses", "[i]")``).
        fields: its fields.
    """

    cls: type[Any]
    kind: str | None
    paths: list[tuple[str, ...]]
    fields: list[FieldInfo]

    @property
    def key(self) -> SectionKey:
        """The section's identity."""
        return (self.cls, self.kind)

    @property
    def path(self) -> tuple[str, ...]:
        """The first path it appears at (the one its heading shows)."""
        return self.paths[0]


def section_key(cls: type[Any], path: tuple[str, ...]) -> SectionKey:
    """The key of the section that documents ``cls`` at ``path``."""
    site = site_at(path)
    return (cls, None if site is None else site.kind)


def child_path(path: tuple[str, ...], field: FieldInfo) -> tuple[str, ...]:
    """The path of ``field``'s value (its items', for a list) inside the section at ``path``."""
    return (*path, field.name, *((ITEM,) if is_list_of(field.annotation) else ()))


def spec_sections(root: type[Any]) -> list[Section]:
    """Every section below ``root`` (not ``root`` itself), depth first in field order."""
    found: dict[SectionKey, Section] = {}
    order: list[Section] = []

    def visit(cls: type[Any], path: tuple[str, ...]) -> None:
        key = section_key(cls, path)
        if key in found:
            found[key].paths.append(path)
            return
        section = Section(cls, key[1], [path], fields_of(cls))
        found[key] = section
        order.append(section)
        walk(section.fields, path)

    def walk(fields: list[FieldInfo], path: tuple[str, ...]) -> None:
        for field in fields:
            here = child_path(path, field)
            for cls in nested_classes(field.annotation):
                visit(cls, here)

    walk(fields_of(root), ())
    return order
