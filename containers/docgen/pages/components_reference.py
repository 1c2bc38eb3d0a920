"""``docs/reference/components.md``: every built-in component with its capabilities and parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from containers.cli.describe import conditioning_facts
from containers.docgen.model.docstrings import intro, one_line, summary
from containers.docgen.model.fields import FieldInfo, fields_of
from containers.docgen.renderers.markdown import GENERATED_BANNER, code, plural, slug, table
from containers.docgen.renderers.type_text import type_text
from containers.docgen.renderers.yaml_text import yaml_value
from containers.spec import sites as spec_sites
from containers.spec.components import is_adversarial
from gan_engine.params import ContextChecked
from gan_engine.registry import Entry
from gan_engine.training.terms import needs

_INTRO = """\
Every component a spec can name, by kind, with what it supports and its parameters. Parameters go
under the component's `params` in the spec and are checked against the component's own parameter
class when the spec is loaded; keys left out take the defaults below. `gan-engine components` prints
the same catalogue for the installed version, plugins included (this page lists the built-in
components only). A spec may also name any registered class as `package.module:Class`; see
[Writing a plugin](../guides/plugins.md)."""


def _dims(entry: Entry[Any]) -> str:
    return ", ".join(f"{dims}d" for dims in sorted(entry.capabilities.spatial_dims))


def _facts(entry: Entry[Any]) -> list[str]:
    caps = entry.capabilities
    facts = [f"dims: {_dims(entry)}"]
    if entry.kind == "generator":
        scales = "any" if caps.scales is None else ", ".join(str(s) for s in sorted(caps.scales))
        facts.append(f"scales: {scales}")
    if caps.min_input_size > 1:
        facts.append(f"minimum input: {caps.min_input_size} px per axis")
    if caps.receptive_field is not None:
        facts.append(f"receptive field: {caps.receptive_field} px (default parameters)")
    if not caps.channels_last_safe:
        facts.append("not channels-last safe")
    if entry.kind == "loss":
        facts += _loss_roles(entry)
    facts += conditioning_facts(caps)
    return facts


def _loss_roles(entry: Entry[Any]) -> list[str]:
    roles = []
    if is_adversarial(entry):
        roles.append("adversarial: also the discriminator's objective; needs a `Discriminator`")
    if needs(entry.factory, "real_logits"):
        roles.append("reads the discriminator's logits on real images")
    if needs(entry.factory, "features"):
        roles.append("uses discriminator features: needs a `Discriminator`")
    return roles


def _params_table(fields: list[FieldInfo]) -> str:
    rows = []
    for field in fields:
        kind = type_text(field.annotation, lambda cls: code(cls.__name__))
        kind = ", ".join([kind, *(limit.text for limit in field.constraints)])
        if field.computed:
            default = "computed"
        elif field.default is attrs.NOTHING:
            default = "**required**"
        else:
            default = code(yaml_value(field.default))
        rows.append([code(field.name), one_line(kind), one_line(default), one_line(field.doc)])
    return table(["key", "type and allowed values", "default", "description"], rows)


def _heading(entry: Entry[Any]) -> str:
    return f"{entry.kind} {code(entry.name)}"


def _entry_block(entry: Entry[Any]) -> str:
    parts = [f"### {_heading(entry)}"]
    text = intro(entry.factory)
    if text:
        parts.append(text)
    parts.append(" · ".join(_facts(entry)))
    params = entry.params_cls
    fields = fields_of(params)
    if not fields:
        parts.append("No parameters.")
        return "\n\n".join(parts)
    line = f"Parameters: {code(params.__name__)}."
    if isinstance(params, type) and issubclass(params, ContextChecked):
        check = summary(params.check)
        if check:
            line += f" Also checked against the run: {one_line(check)}"
    parts.append(line)
    parts.append(_params_table(fields))
    return "\n\n".join(parts)


def _kind_block(kind: str, entries: list[Entry[Any]], group: str) -> str:
    sites = [site for site in spec_sites.COMPONENT_SITES if site.kind == kind]
    where = ", ".join(code(f"{site.dotted}.{site.name_key}") for site in sites)
    named = (
        f"Named in a spec at {where}."
        if sites
        else "Named inside the parameters of the components that use them (as `name` and `params`)."
    )
    lead = f"{named} Plugins register more through the entry-point group {code(group)}."
    rows = [
        [
            f"[`{entry.name}`](#{slug(_heading(entry))})",
            _dims(entry),
            one_line(summary(entry.factory)),
        ]
        for entry in entries
    ]
    parts = [f"## {plural(kind).replace('_', ' ').capitalize()}", lead]
    if rows:
        parts.append(table(["name", "dims", "summary"], rows))
    parts += [_entry_block(entry) for entry in entries]
    return "\n\n".join(parts)


def components_reference(entries: Mapping[str, list[Entry[Any]]], groups: Mapping[str, str]) -> str:
    """The Markdown catalogue of ``entries`` (by kind); ``groups`` gives each kind's entry-point group."""
    blocks = [GENERATED_BANNER, "# Components", _INTRO]
    blocks += [_kind_block(kind, found, groups[kind]) for kind, found in entries.items()]
    return "\n\n".join(blocks) + "\n"
