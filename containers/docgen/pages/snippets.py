"""Code blocks in hand-written pages that are copies of files, kept equal to those files.

A page marks a copy with an HTML comment right before the fenced block::

    <!-- snippet: examples/embed.py -->
    ```python
    ...the whole file...
    ```

Paths are relative to the folder holding ``docs/`` (the repository root). ``gan-engine docs`` rewrites
the blocks from the files, and ``--check`` fails when a page shows an outdated copy, so the code in the
guides is always the code that the example tests run.
"""

from __future__ import annotations

import re
from pathlib import Path

SNIPPET = re.compile(r"(<!-- snippet: (\S+) -->\n```\w*\n)(.*?)(```\n)", re.DOTALL)


def refreshed(page: str, root: Path) -> str:
    """``page`` with every marked block replaced by the current text of its file under ``root``."""

    def copy(match: re.Match[str]) -> str:
        source = root / match.group(2)
        try:
            text = source.read_text(encoding="utf-8")
        except FileNotFoundError:
            msg = f"a snippet names {match.group(2)}, which does not exist under {root}"
            raise FileNotFoundError(msg) from None
        return match.group(1) + text + ("" if text.endswith("\n") else "\n") + match.group(4)

    return SNIPPET.sub(copy, page)


def snippet_pages(docs: Path) -> dict[str, str]:
    """Every page under ``docs`` with snippets, refreshed, by its path relative to ``docs``."""
    pages = {}
    for page in sorted(docs.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if SNIPPET.search(text):
            pages[page.relative_to(docs).as_posix()] = refreshed(text, docs.resolve().parent)
    return pages
