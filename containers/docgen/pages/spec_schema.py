"""``docs/reference/spec.schema.json``: a JSON Schema of run specs for editors and CI.

Generated from the same attrs classes the loader structures specs into, and from the registry: each
place that names a component accepts the built-in names (or ``package.module:Class``) and, through
``if``/``then`` on the name, checks ``params`` against that component's parameter class. ``if``/``then``
rather than ``oneOf``: editors (e.g. the YAML language server) then complete the parameters of the name
written and report errors against it alone, instead of "matches none of N alternatives".

The schema is as strict as the loader about keys (``additionalProperties: false`` wherever unknown keys
are rejected) but cannot express everything the loader checks: cross-field rules, checks against the
run (band counts, dims, scales), files on disk, Lightning's Trainer arguments (only the keys the engine
reserves are rejected) and the parameters of classes named as ``package.module:Class``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from containers.docgen.model.docstrings import summary
from containers.docgen.model.fields import FieldInfo, fields_of
from containers.docgen.model.sections import SectionKey, child_path, section_key
from containers.docgen.renderers.json_schema import Schema, describe, field_schema, object_schema
from containers.spec.schema import Spec
from containers.spec.sites import ComponentSite, site_at
from containers.spec.trainer_args import RESERVED
from gan_engine.registry import Entry

DIALECT = "https://json-schema.org/draft/2020-12/schema"
IMPORT_PATH = r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"
"""A ``package.module:Class`` name."""
_PARAMS = ("<params>",)
"""The path given to component parameter classes: no component site lies below it."""


class _Builder:
    """Collects ``$defs`` while walking the spec classes."""

    def __init__(self, entries: Mapping[str, list[Entry[Any]]]) -> None:
        self.entries = entries
        self.defs: dict[str, Schema] = {}
        self._names: dict[SectionKey, str] = {}
        self._params_classes: set[type[Any]] = set()

    def _def_name(self, key: SectionKey) -> str:
        if key not in self._names:
            cls, kind = key
            name = cls.__name__ if kind is None else f"{cls.__name__}.{kind}"
            if name in self._names.values():
                name = f"{cls.__module__.removeprefix('gan_engine.')}.{name}"
            self._names[key] = name
        return self._names[key]

    def ref(self, cls: type[Any], path: tuple[str, ...]) -> Schema:
        """A ``$ref`` to ``cls``'s definition at ``path``, defining it on first use."""
        name = self._def_name(section_key(cls, path))
        if name not in self.defs:
            self.defs[name] = {}  # reserved first: a class may refer to itself
            self.defs[name] = self._class_schema(cls, path)
        return {"$ref": f"#/$defs/{name}"}

    def _class_schema(self, cls: type[Any], path: tuple[str, ...]) -> Schema:
        fields = fields_of(cls)
        site = site_at(path)
        properties = {field.name: self._property(field, path, site) for field in fields}
        schema = object_schema(fields, properties, summary(cls))
        if cls in self._params_classes:
            schema["type"] = ["object", "null"]  # `params: null` means no parameters
        if site is not None:
            schema["allOf"] = self._params_by_name(site)
        return schema

    def _property(
        self, field: FieldInfo, path: tuple[str, ...], site: ComponentSite | None
    ) -> Schema:
        if site is not None and field.name == "params":
            return describe({"type": ["object", "null"]}, field)
        if site is not None and field.name == site.name_key:
            names = [entry.name for entry in self.entries[site.kind]]
            choices = [{"enum": names}, {"pattern": IMPORT_PATH}]
            return describe({"type": "string", "anyOf": choices}, field)
        here = child_path(path, field)
        return field_schema(field, lambda cls: self.ref(cls, here))

    def _params_ref(self, entry: Entry[Any]) -> Schema:
        self._params_classes.add(entry.params_cls)
        return self.ref(entry.params_cls, _PARAMS)

    def _params_by_name(self, site: ComponentSite) -> list[Schema]:
        key = site.name_key
        rules = []
        for entry in self.entries[site.kind]:
            named = {"properties": {key: {"const": entry.name}}, "required": [key]}
            then = {"properties": {"params": self._params_ref(entry)}}
            rules.append({"if": named, "then": then})
            if entry.name == site.default_name:
                rules.append({"if": {"not": {"required": [key]}}, "then": then})
        return rules

    def spec(self, root: type[Any]) -> Schema:
        fields = fields_of(root)
        properties = {}
        for field in fields:
            schema = self._property(field, (), None)
            if field.name == "Trainer":
                schema["propertyNames"] = {"not": {"enum": sorted(RESERVED)}}
                schema["description"] = _TRAINER
            properties[field.name] = schema
        return object_schema(fields, properties)


_TRAINER = (
    "Keyword arguments of lightning.pytorch.Trainer (max_epochs, accelerator, devices, …), checked "
    "against the installed Lightning by `gan-engine check`; the keys the engine sets are rejected."
)


def spec_schema(entries: Mapping[str, list[Entry[Any]]], root: type[Any] = Spec) -> Schema:
    """The JSON Schema of ``root`` with the components of ``entries``."""
    builder = _Builder(entries)
    body = builder.spec(root)
    head: Schema = {
        "$schema": DIALECT,
        "title": "GAN-Engine run spec",
        "description": (
            "A GAN-Engine run spec, generated by `gan-engine docs` from the spec classes and the "
            "built-in components. `gan-engine check` validates more than this schema can express."
        ),
    }
    return {**head, **body, "$defs": dict(sorted(builder.defs.items()))}


def schema_text(schema: Schema) -> str:
    """The schema as the committed file holds it: indented JSON, UTF-8, trailing newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
