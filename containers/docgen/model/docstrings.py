"""Prose from Google-style docstrings, turned into Markdown."""

from __future__ import annotations

import inspect
import re
from typing import Any

from containers.cli.describe import attribute_docs

_SECTIONS = re.compile(
    r"^(Args|Arguments|Attributes|Returns|Raises|Yields|Example|Examples|Note|Notes):\s*$"
)
_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):`~?([^`]+)`")


def markdown(text: str) -> str:
    """Convert reStructuredText inline markup to Markdown (````x```` → ```x```, roles → code)."""

    def role(match: re.Match[str]) -> str:
        target = match.group(1)
        short = "~" in match.group(0)  # `~a.b.C` shows only `C`, as Sphinx does
        return f"`{target.rsplit('.', 1)[-1] if short else target}`"

    return _ROLE.sub(role, text).replace("``", "`")


def field_docs(cls: type[Any]) -> dict[str, str]:
    """Each field's description from the ``Attributes:`` sections of ``cls`` and its bases.

    A subclass's own description wins over a base class's (parameter classes often extend a shared
    base, e.g. the pixel losses' ``band_weights``).
    """
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass is object or "__doc__" not in vars(klass) or not vars(klass)["__doc__"]:
            continue
        docs.update(attribute_docs(klass))
    return {name: markdown(text) for name, text in docs.items()}


def intro(obj: object) -> str:
    """The docstring of ``obj`` up to its first section (``Args:``, ``Attributes:``, …), as Markdown."""
    lines = (inspect.getdoc(obj) or "").splitlines()
    kept: list[str] = []
    for line in lines:
        if _SECTIONS.match(line):
            break
        kept.append(line)
    return markdown("\n".join(kept).strip())


def summary(obj: object) -> str:
    """The first paragraph of ``obj``'s docstring on one line, as Markdown (empty without one)."""
    text = intro(obj)
    return text.split("\n\n", 1)[0].replace("\n", " ")


def one_line(text: str) -> str:
    """Collapse whitespace so ``text`` fits in one Markdown table cell (pipes escaped)."""
    return " ".join(text.split()).replace("|", "\\|")
