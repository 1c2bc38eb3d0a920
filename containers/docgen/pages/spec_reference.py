"""``docs/reference/spec.md``: every section, key, type, default and allowed value of a run spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from containers.docgen.model.docstrings import intro, one_line, summary
from containers.docgen.model.fields import FieldInfo, fields_of, nested_classes
from containers.docgen.model.sections import (
    Section,
    SectionKey,
    child_path,
    section_key,
    spec_sections,
)
from containers.docgen.renderers.markdown import GENERATED_BANNER, code, plural, slug, table
from containers.docgen.renderers.type_text import type_text
from containers.docgen.renderers.yaml_text import yaml_value
from containers.spec import sites as spec_sites
from containers.spec.schema import Spec
from containers.spec.sites import ITEM, ComponentSite, dotted
from containers.spec.trainer_args import RESERVED
from gan_engine.registry import Entry

Links = Mapping[SectionKey, str]

_INTRO = """\
A spec is a YAML mapping of the sections below. Everything is checked before anything runs: unknown
keys are rejected (with the nearest valid key), scalars are strict (`true` is no int, `4.7` no int,
`'16'` no number), every component's `params` are checked against that component's own parameter
class, and every problem is reported at once with its file, line and key. Keys left out take the
defaults listed here; the resolved spec (every default filled in) is written into each run directory
and checkpoint.

Any value can be overridden on the command line with `--set KEY.PATH=VALUE` (YAML syntax, the same
checks), e.g. `--set Training.pretrain_steps=100` or `--set Losses.1.weight=0.01`: list items are
addressed by index (`Losses[i]` below is `Losses.<i>` there). Editors can complete and check specs
with the JSON Schema [`spec.schema.json`](spec.schema.json) (see
[Getting started](../getting-started.md#editor-support)). Component parameters are listed in
[the components catalogue](components.md)."""


def _link(section: Section) -> str:
    name = dotted(section.path)
    return f"[`{name}`](#{slug(name)})"


def _kinds_link(sites: list[ComponentSite]) -> str:
    kinds = sorted({site.kind for site in sites})
    return ", ".join(f"[{plural(kind)}](components.md#{slug(plural(kind))})" for kind in kinds)


def _type_cell(
    field: FieldInfo, path: tuple[str, ...], sites: list[ComponentSite], links: Links
) -> str:
    if sites and field.name == "params":
        text = f"mapping: the named component's parameters ({_kinds_link(sites)})"
    elif sites and field.name == sites[0].name_key:
        text = f"str: a registered name or `package.module:Class` ({_kinds_link(sites)})"
    else:
        here = child_path(path, field)
        text = type_text(field.annotation, lambda cls: links[section_key(cls, here)])
    return one_line(", ".join([text, *(limit.text for limit in field.constraints)]))


def _default_cell(field: FieldInfo, default_name: str | None = None) -> str:
    if field.computed:
        return "computed"
    if field.default is attrs.NOTHING:
        return "**required**" if default_name is None else code(yaml_value(default_name))
    if attrs.has(type(field.default)):
        return "section defaults"
    return one_line(code(yaml_value(field.default)))


def _fields_table(section: Section, sites: list[ComponentSite], links: Links) -> str:
    default_names = {site.default_name for site in sites} - {None}
    rows = []
    for field in section.fields:
        named = bool(sites) and field.name == sites[0].name_key and len(default_names) == 1
        default = _default_cell(field, next(iter(default_names)) if named else None)
        type_cell = _type_cell(field, section.path, sites, links)
        rows.append([code(field.name), type_cell, default, one_line(field.doc)])
    return table(["key", "type and allowed values", "default", "description"], rows)


def _component_note(sites: list[ComponentSite], entries: Mapping[str, list[Entry[Any]]]) -> str:
    site = sites[0]
    names = ", ".join(code(entry.name) for entry in entries[site.kind]) or "none"
    return (
        f"`{site.name_key}` names a registered {site.kind} (built in: {names}) or "
        f"`package.module:Class`; `params` are that {site.kind}'s parameters, listed in "
        f"[the components catalogue](components.md#{slug(plural(site.kind))})."
    )


def _section_block(section: Section, entries: Mapping[str, list[Entry[Any]]], links: Links) -> str:
    top = len(section.path) == 1 or section.path[1:] == (ITEM,)
    parts = [f"{'##' if top else '###'} {code(dotted(section.path))}"]
    text = intro(section.cls)
    if text:
        parts.append(text)
    if len(section.paths) > 1:
        parts.append("Also at " + ", ".join(code(dotted(path)) for path in section.paths[1:]) + ".")
    sites = [site for site in spec_sites.COMPONENT_SITES if site.path in section.paths]
    if sites:
        parts.append(_component_note(sites, entries))
    parts.append(_fields_table(section, sites, links))
    return "\n\n".join(parts)


def _trainer_block(field: FieldInfo) -> str:
    rows = [[code(key), one_line(why)] for key, why in sorted(RESERVED.items())]
    text = (
        "Keyword arguments of `lightning.pytorch.Trainer`, passed through: `max_epochs`, "
        "`accelerator`, `devices`, `strategy`, `log_every_n_steps`, `limit_val_batches`, …. Names and "
        "values are checked against the signature of the installed Lightning (see "
        "[its documentation](https://lightning.ai/docs/pytorch/stable/common/trainer.html)). These "
        "keys are rejected because the engine sets them or manual optimisation rules them out:"
    )
    return "\n\n".join([f"## {code(field.name)}", text, table(["key", "instead"], rows)])


def _overview(top: list[FieldInfo]) -> str:
    rows = []
    for field in top:
        classes = nested_classes(field.annotation)
        anchor = slug(dotted(child_path((), field)))
        name = f"[`{field.name}`](#{anchor})"
        what = (
            summary(classes[0]) if classes else "Keyword arguments of `lightning.pytorch.Trainer`."
        )
        kind = type_text(field.annotation, lambda _cls: "section")
        rows.append([name, one_line(kind), _default_cell(field), one_line(what)])
    return table(["section", "type", "default", "what it sets"], rows)


def spec_reference(entries: Mapping[str, list[Entry[Any]]], root: type[Any] = Spec) -> str:
    """The Markdown spec reference, generated from ``root``'s attrs classes and the registry."""
    sections = spec_sections(root)
    links = {section.key: _link(section) for section in sections}
    top = fields_of(root)
    blocks = [GENERATED_BANNER, "# Spec reference", _INTRO, _overview(top)]
    for field in top:
        if not nested_classes(field.annotation):
            blocks.append(_trainer_block(field))
        blocks += [
            _section_block(section, entries, links)
            for section in sections
            if section.path[0] == field.name
        ]
    return "\n\n".join(blocks) + "\n"
