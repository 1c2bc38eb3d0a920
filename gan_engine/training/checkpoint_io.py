"""Checkpoint writing that never leaves a half-written file under the final name."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO

from gan_engine.errors import GanEngineError


class AtomicCheckpointIO(TorchCheckpointIO):
    """Saves to a temporary file in the target folder, then renames it over the target.

    A crash mid-write leaves the previous checkpoint intact (``os.replace`` is atomic on POSIX and Windows
    within one file system).
    """

    def save_checkpoint(
        self, checkpoint: dict[str, Any], path: str | os.PathLike[str], storage_options: Any = None
    ) -> None:
        """Write ``checkpoint`` to ``path`` atomically."""
        if storage_options is not None:
            msg = f"AtomicCheckpointIO does not take storage_options, got {storage_options!r}"
            raise TypeError(msg)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".ckpt.tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                torch.save(checkpoint, stream)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class CheckpointFormatError(GanEngineError, ValueError):
    """A file that is not a GAN-Engine training checkpoint, or one that does not fit the run."""
