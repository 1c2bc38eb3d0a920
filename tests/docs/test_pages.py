"""The hand-written pages: links resolve, code copied from examples is the tested code, specs covered."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

from containers.docgen.renderers.markdown import slug

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted([*(REPO / "docs").rglob("*.md"), REPO / "examples" / "plugin" / "README.md"])
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SNIPPET = re.compile(r"<!-- snippet: (\S+) -->\n```\w*\n(.*?)```\n", re.DOTALL)
FENCE = re.compile(r"```.*?```", re.DOTALL)


def _anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    headings = re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)
    return {slug(heading) for heading in headings}


def _links(page: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(REPO)) for page in PAGES])
def test_relative_links_and_anchors_resolve(page: Path) -> None:
    broken = []
    for link in _links(page):
        if re.match(r"^[a-z]+:", link):
            continue  # external: not checked offline
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link}: no heading with anchor #{anchor}")
    assert broken == []


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if SNIPPET.search(p.read_text(encoding="utf-8"))],
    ids=lambda page: str(page.relative_to(REPO)),
)
def test_snippets_are_the_example_files(page: Path) -> None:
    snippets = SNIPPET.findall(page.read_text(encoding="utf-8"))
    assert snippets
    for path, code in snippets:
        source = (REPO / path).read_text(encoding="utf-8")
        assert code == source, f"{page.name}: the block marked {path} differs: copy the file again"


def test_every_shipped_spec_has_a_tutorial() -> None:
    tutorials = " ".join(page.read_text(encoding="utf-8") for page in (REPO / "docs").rglob("*.md"))
    missing = [
        spec.name
        for spec in sorted((REPO / "specs").glob("*.yaml"))
        if f"specs/{spec.name}" not in tutorials
    ]
    assert missing == []


def test_python_in_the_readme_imports_what_exists() -> None:
    """The README's Python blocks are not run (they train for real), but what they import must exist."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    missing = []
    for block in blocks:
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.ImportFrom) and node.module:
                module = importlib.import_module(node.module)
                missing += [
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if not hasattr(module, alias.name)
                    and importlib.util.find_spec(f"{node.module}.{alias.name}") is None
                ]
    assert blocks
    assert missing == []
