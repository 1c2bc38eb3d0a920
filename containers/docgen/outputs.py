"""Every generated documentation file, and writing or checking them under a docs folder."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from containers.docgen.model.entries import entries_by_kind
from containers.docgen.model.fields import fields_of
from containers.docgen.model.sections import spec_sections
from containers.docgen.pages.cli_reference import cli_reference
from containers.docgen.pages.components_reference import components_reference
from containers.docgen.pages.plots import schedule_plots
from containers.docgen.pages.snippets import snippet_pages
from containers.docgen.pages.spec_reference import spec_reference
from containers.docgen.pages.spec_schema import schema_text, spec_schema
from containers.spec import sites as spec_sites
from containers.spec.schema import Spec
from containers.spec.sites import dotted
from gan_engine.registry import REGISTRIES, Registry

_DIFF_LINES = 40


def generated_files(
    parser: argparse.ArgumentParser,
    docs: Path | None = None,
    registries: Mapping[str, Registry[Any]] = REGISTRIES,
) -> dict[str, str]:
    """Every generated file's text by its path relative to the docs folder.

    With ``docs``, hand-written pages under it whose marked code blocks copy a file are included,
    refreshed from those files (see :mod:`containers.docgen.pages.snippets`).
    """
    entries = entries_by_kind(registries)
    groups = {kind: registry.entry_point_group for kind, registry in registries.items()}
    files = {
        "reference/spec.md": spec_reference(entries),
        "reference/components.md": components_reference(entries, groups),
        "reference/cli.md": cli_reference(parser),
        "reference/spec.schema.json": schema_text(spec_schema(entries)),
    }
    files.update({f"images/{name}": text for name, text in schedule_plots().items()})
    if docs is not None and docs.is_dir():
        files.update(snippet_pages(docs))
    return files


def undocumented(registries: Mapping[str, Registry[Any]] = REGISTRIES) -> list[str]:
    """Spec keys and built-in component parameters whose reference entry has no description."""
    missing = []
    for section in spec_sections(Spec):
        sites = [site for site in spec_sites.COMPONENT_SITES if site.path in section.paths]
        explained = {"params", *(site.name_key for site in sites)}  # the reference explains these
        missing += [
            f"{dotted((*section.path, field.name))}"
            for field in section.fields
            if not field.doc and field.name not in explained
        ]
    for kind, entries in entries_by_kind(registries).items():
        for entry in entries:
            missing += [
                f"{kind} {entry.name}: {field.name}"
                for field in fields_of(entry.params_cls)
                if not field.doc
            ]
    return missing


@attrs.frozen
class Difference:
    """A generated file whose committed copy is missing or differs.

    Attributes:
        path: the file under the docs folder.
        diff: a unified diff from the committed copy to the generated text (empty when missing).
    """

    path: Path
    diff: str

    def describe(self) -> str:
        """One line naming the file, then the start of the diff."""
        if not self.diff:
            return f"{self.path}: missing"
        lines = self.diff.splitlines()
        shown = "\n".join(lines[:_DIFF_LINES])
        more = (
            f"\n  … {len(lines) - _DIFF_LINES} more diff lines" if len(lines) > _DIFF_LINES else ""
        )
        return f"{self.path}: out of date\n{shown}{more}"


def check_files(files: Mapping[str, str], docs: Path) -> list[Difference]:
    """The files under ``docs`` that differ from ``files`` (generated text by relative path)."""
    found = []
    for relative, text in files.items():
        path = docs / relative
        try:
            committed = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            found.append(Difference(path, ""))
            continue
        if committed != text:
            diff = difflib.unified_diff(
                committed.splitlines(), text.splitlines(), "committed", "generated", lineterm=""
            )
            found.append(Difference(path, "\n".join(diff)))
    return found


def write_files(files: Mapping[str, str], docs: Path) -> list[Path]:
    """Write ``files`` under ``docs``; returns the paths whose content changed."""
    changed = []
    for relative, text in files.items():
        path = docs / relative
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        changed.append(path)
    return changed
