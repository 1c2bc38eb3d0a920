"""Writing outputs safely: a temporary file beside the target, renamed over it only when complete.

``os.replace`` within one folder is atomic, so an interrupted run leaves either the old file or no
file under the final name — never half of one. Temporary files are hidden (``.name.XXXX.partial``)
and removed on errors.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from gan_engine.io.errors import OutputError


def temporary_beside(target: Path, suffix: str) -> Path:
    """Create an empty temporary file next to ``target`` ending in ``.partial{suffix}``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=f".partial{suffix}"
    )
    os.close(descriptor)
    return Path(name)


def publish(temporary: Path, target: Path) -> None:
    """Move a finished temporary file to ``target`` (atomic, replaces an existing file)."""
    temporary.chmod(0o644)  # mkstemp creates 0600
    temporary.replace(target)


def discard(temporary: Path) -> None:
    """Remove a temporary file if it exists."""
    temporary.unlink(missing_ok=True)


def check_target(target: Path, inputs: Iterable[Path], *, overwrite: bool) -> None:
    """Refuse a target that is one of the inputs, or that exists unless ``overwrite``.

    Raises:
        OutputError: naming the target and the input it would overwrite.
    """
    resolved = target.resolve()
    for source in inputs:
        if source.resolve() == resolved or (
            target.exists() and source.exists() and source.samefile(target)
        ):
            msg = f"output {target} is the input {source}: choose another output folder or suffix"
            raise OutputError(msg)
    if target.exists() and not overwrite:
        msg = f"output {target} exists; pass overwrite (--overwrite) to replace it"
        raise OutputError(msg)
    if target.exists() and not target.is_file():
        msg = f"output {target} exists and is not a file"
        raise OutputError(msg)
