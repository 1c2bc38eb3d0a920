"""The resolved spec: every default filled in, as plain data and as a YAML file in a run folder."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from containers.spec.converter import CONVERTER
from containers.spec.schema import Spec
from containers.spec.values import to_plain

_HEADER = "# Resolved run spec written by gan-engine: every default filled in.\n"


def spec_to_dict(spec: Spec) -> dict[str, Any]:
    """The spec as plain YAML/JSON-safe data (component params included, tuples as lists)."""
    data = to_plain(CONVERTER.unstructure(spec))
    if not isinstance(data, dict):
        msg = f"a Spec unstructured to {type(data).__name__}, expected a dict"
        raise TypeError(msg)
    return data


def spec_to_yaml(spec: Spec) -> str:
    """The resolved spec as YAML text (what ``write_resolved_spec`` writes, header included)."""
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    stream = io.StringIO()
    stream.write(_HEADER)
    yaml.dump(spec_to_dict(spec), stream)
    return stream.getvalue()


def write_resolved_spec(spec: Spec, path: str | Path, notes: Sequence[str] = ()) -> Path:
    """Write the resolved spec as YAML atomically (a temporary file in its folder, then rename).

    ``notes`` become comment lines under the header (e.g. why ``auto`` settings resolved as they did).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(_HEADER)
            for note in notes:
                stream.write("".join(f"# {line}\n" for line in note.splitlines()))
            yaml.dump(spec_to_dict(spec), stream)
        Path(temporary).chmod(0o644)  # mkstemp creates 0600; a spec is not a secret
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
