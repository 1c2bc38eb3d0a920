"""Prompts for image files: a JSONL or CSV manifest, or one ``.txt`` file beside each image.

Manifest rows are ``path, prompt[, metadata]``: ``path`` relative to the manifest's folder (or
absolute), ``prompt`` any text (empty allowed), ``metadata`` a JSON object (in CSV, a JSON string).
JSONL: one object per line ``{"path": ..., "prompt": ..., "metadata": {...}}``. CSV: a header row
naming the columns. Without a manifest, ``photo.png`` takes its prompt from ``photo.txt``.
Every problem is a :class:`~gan_engine.errors.DataError` naming the file and line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from gan_engine.errors import DataError

MANIFEST_SUFFIXES = (".jsonl", ".csv")
SIDECAR_SUFFIX = ".txt"
MAX_LISTED = 5
"""Images quoted in an error about missing prompts (the count says how many more)."""


@attrs.frozen
class PromptEntry:
    """The prompt of one image and its free (JSON-able) metadata."""

    prompt: str
    metadata: Mapping[str, Any] = attrs.field(factory=dict)


def _entry(row: Mapping[str, Any], where: str) -> tuple[str, PromptEntry]:
    path, prompt = row.get("path"), row.get("prompt")
    if not isinstance(path, str) or not path.strip():
        msg = f"{where}: expected a non-empty 'path' string, got {path!r}"
        raise DataError(msg)
    if not isinstance(prompt, str):
        msg = f"{where}: expected a 'prompt' string, got {prompt!r}"
        raise DataError(msg)
    metadata = row.get("metadata") or {}
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except json.JSONDecodeError as error:
            msg = f"{where}: 'metadata' is not valid JSON ({error})"
            raise DataError(msg) from error
    if not isinstance(metadata, dict):
        msg = f"{where}: expected 'metadata' to be a JSON object, got {metadata!r}"
        raise DataError(msg)
    return path, PromptEntry(prompt, metadata)


def _rows(manifest: Path) -> list[tuple[str, Mapping[str, Any]]]:
    text = manifest.read_text(encoding="utf-8")
    if manifest.suffix == ".jsonl":
        rows: list[tuple[str, Mapping[str, Any]]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{manifest}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                msg = f"{where}: not a JSON object ({error})"
                raise DataError(msg) from error
            if not isinstance(row, dict):
                msg = f"{where}: expected a JSON object, got {row!r}"
                raise DataError(msg)
            rows.append((where, row))
        return rows
    reader = csv.DictReader(text.splitlines())
    missing = {"path", "prompt"} - set(reader.fieldnames or [])
    if missing:
        msg = (
            f"{manifest}:1: the header needs the columns path and prompt, missing {sorted(missing)}"
        )
        raise DataError(msg)
    return [(f"{manifest}:{reader.line_num}", row) for row in reader]


def read_manifest(manifest: Path) -> dict[Path, PromptEntry]:
    """Prompts by resolved image path from a ``.jsonl`` or ``.csv`` manifest."""
    if manifest.suffix not in MANIFEST_SUFFIXES:
        msg = f"prompt manifests end in {' or '.join(MANIFEST_SUFFIXES)}, got '{manifest}'"
        raise DataError(msg)
    if not manifest.is_file():
        msg = f"prompt manifest not found: '{manifest}'"
        raise DataError(msg)
    entries: dict[Path, PromptEntry] = {}
    for where, row in _rows(manifest):
        path, entry = _entry(row, where)
        resolved = (manifest.parent / path).resolve()
        if resolved in entries:
            msg = f"{where}: '{path}' is listed twice"
            raise DataError(msg)
        entries[resolved] = entry
    return entries


def prompts_for(images: Sequence[Path], manifest: Path | None) -> list[PromptEntry]:
    """One entry per image, from ``manifest`` or from each image's ``.txt`` sidecar.

    Raises:
        DataError: an image has no prompt (all such images are counted, the first few named),
            or the manifest is malformed.
    """
    entries: list[PromptEntry | None]
    if manifest is not None:
        table = read_manifest(manifest)
        entries = [table.get(image.resolve()) for image in images]
        where = f"in the manifest '{manifest}'"
    else:
        entries = []
        for image in images:
            sidecar = image.with_suffix(SIDECAR_SUFFIX)
            text = sidecar.read_text(encoding="utf-8").strip() if sidecar.is_file() else None
            entries.append(None if text is None else PromptEntry(text))
        where = f"in a {SIDECAR_SUFFIX} file beside each image (or give a manifest)"
    missing = [str(image) for image, entry in zip(images, entries, strict=True) if entry is None]
    if missing:
        listed = ", ".join(missing[:MAX_LISTED])
        more = f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
        msg = f"no prompt for {len(missing)} image(s): {listed}{more}; expected one {where}"
        raise DataError(msg)
    return [entry for entry in entries if entry is not None]
