"""``gan-engine convert opensr``: read the files, convert, validate, write ``spec.yaml`` and ``model.ckpt``.

Nothing is written unless the whole conversion succeeds. The spec is validated as ``gan-engine
check`` would; when it fails here only for reasons of this machine (e.g. VGG weights not in the
torch cache), the spec is still written with the problems reported, and the checkpoint embeds the
spec without its losses and discriminator (all that inference needs).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import torch
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from containers.convert.notes import ConversionError, Notes
from containers.convert.opensr_checkpoint import convert_checkpoint
from containers.convert.opensr_config import convert_config
from containers.spec.loader import spec_from_dict
from containers.spec.problems import SpecError

SPEC_NAME = "spec.yaml"
CHECKPOINT_NAME = "model.ckpt"


@attrs.frozen(kw_only=True)
class ConversionReport:
    """What a conversion wrote and what it could not carry over."""

    spec_path: Path
    checkpoint_path: Path | None
    notes: Notes
    spec_problems: str | None


def read_yaml(path: Path) -> object:
    """The YAML document in ``path`` as plain data.

    Raises:
        ConversionError: missing or not valid YAML.
    """
    if not path.is_file():
        msg = f"config {path} does not exist"
        raise ConversionError(msg)
    try:
        return YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as error:
        msg = f"{path}: not valid YAML: {error}"
        raise ConversionError(msg) from error


def convert_opensr(config: Path, checkpoint: Path | None, out: Path) -> ConversionReport:
    """Convert the opensr-srgan ``config`` (and ``checkpoint``) into ``out/spec.yaml`` (``model.ckpt``).

    Raises:
        ConversionError: the input cannot be converted (the message names the key or tensor).
    """
    converted = convert_config(read_yaml(config), str(config))
    source = f"{config} (converted)"
    problems: str | None = None
    try:
        spec = spec_from_dict(converted.spec, source=source)
    except SpecError as error:
        problems = str(error)
        inference = {**converted.spec, "Discriminator": None, "Losses": [{"name": "l1"}]}
        try:
            spec = spec_from_dict(inference, source=source)
        except SpecError as again:
            msg = f"the converted spec is not valid:\n{again}"
            raise ConversionError(msg) from again
    saved: dict[str, Any] | None = None
    if checkpoint is not None:
        saved = convert_checkpoint(checkpoint, converted.generator, spec, converted.notes)
    out.mkdir(parents=True, exist_ok=True)
    spec_path = _write_spec(converted.spec, converted.notes, config, out / SPEC_NAME)
    checkpoint_path = None
    if saved is not None:
        checkpoint_path = out / CHECKPOINT_NAME
        _atomic(checkpoint_path, lambda stream: torch.save(saved, stream))
    return ConversionReport(
        spec_path=spec_path,
        checkpoint_path=checkpoint_path,
        notes=converted.notes,
        spec_problems=problems,
    )


def _write_spec(spec: dict[str, Any], notes: Notes, config: Path, path: Path) -> Path:
    header = [
        f"# Converted by `gan-engine convert opensr` from {config}.",
        "# Not carried over exactly (see docs/guides/coming-from-opensr.md):",
        *(f"#   {note}" for note in notes.items),
    ]
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    text = io.StringIO()
    text.write("\n".join(header) + "\n")
    yaml.dump(spec, text)
    _atomic(path, lambda stream: stream.write(text.getvalue().encode("utf-8")))
    return path


def _atomic(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` through a temporary file in its folder, then rename it into place."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            write(stream)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
