"""Human-readable descriptions of registered components and their parameters."""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from typing import Any

import attrs

from gan_engine.registry import Capabilities, Entry, Registry


@attrs.frozen
class ParamDoc:
    """One parameter of a component: name, type, default and its documentation."""

    name: str
    type: str
    default: str
    doc: str


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type):
        return annotation.__name__
    return re.sub(r"\btyping\.", "", str(annotation))


def attribute_docs(cls: type[Any]) -> dict[str, str]:
    """Descriptions from the ``Attributes:`` section of a Google-style class docstring."""
    docs: dict[str, str] = {}
    lines = (inspect.getdoc(cls) or "").splitlines()
    inside, current = False, None
    for line in lines:
        if line.strip() == "Attributes:":
            inside = True
            continue
        if not inside:
            continue
        if line and not line.startswith(" "):
            break
        match = re.match(r"^ {4}(\w+)(?: \([^)]*\))?: (.*)$", line)
        if match:
            current = match.group(1)
            docs[current] = match.group(2).strip()
        elif current and line.strip():
            docs[current] += " " + line.strip()
    return docs


# attrs types Factory(...) as the value it makes; the class itself is needed for isinstance.
_FACTORY_TYPE: type[Any] = type(attrs.Factory(list))


def _default(field: attrs.Attribute[Any]) -> str:
    default = field.default
    if default is attrs.NOTHING:
        return "required"
    if isinstance(default, _FACTORY_TYPE):
        return "computed" if default.takes_self else repr(default.factory())
    return repr(default)


def param_docs(params_cls: type[Any]) -> list[ParamDoc]:
    """Every field of an attrs parameter class, documented."""
    docs = attribute_docs(params_cls)
    return [
        ParamDoc(
            name=field.name,
            type=_type_name(field.type),
            default=_default(field),
            doc=docs.get(field.name, ""),
        )
        for field in attrs.fields(params_cls)
    ]


def conditioning_facts(capabilities: Capabilities) -> list[str]:
    """What a component accepts as conditioning, and what a task feeds the networks."""
    facts = []
    for label, kinds in (
        ("conditioning", capabilities.conditioning),
        ("feeds the generator", capabilities.generator_needs),
        ("feeds the discriminator", capabilities.discriminator_needs),
    ):
        if kinds:
            facts.append(f"{label}: {', '.join(sorted(kinds))}")
    return facts


def describe_entry(entry: Entry[Any]) -> str:
    """Name, supported dims and scales, summary and parameters of one component."""
    caps = entry.capabilities
    dims = ", ".join(f"{d}d" for d in sorted(caps.spatial_dims))
    facts = [dims]
    if caps.scales is not None:
        facts.append("scales " + ", ".join(str(s) for s in sorted(caps.scales)))
    facts += conditioning_facts(caps)
    if entry.origin != "builtin":
        facts.append(entry.origin)
    lines = [f"  {entry.name}  [{'; '.join(facts)}]  {entry.summary}".rstrip()]
    for param in param_docs(entry.params_cls):
        doc = f"  {param.doc}" if param.doc else ""
        lines.append(f"      {param.name}: {param.type} = {param.default}{doc}")
    return "\n".join(lines)


def _plural(kind: str) -> str:
    return kind + ("es" if kind.endswith("s") else "s")


def describe_components(registries: Sequence[Registry[Any]]) -> str:
    """Every component of the given registries, grouped by kind, with plugins that failed to load."""
    blocks = []
    for registry in registries:
        lines = [f"{_plural(registry.kind)}:"]
        lines.extend(describe_entry(entry) for entry in registry.entries())
        for where, why in sorted(registry.broken().items()):
            lines.append(f"  (failed to load {where}: {why})")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
