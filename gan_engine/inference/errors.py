"""Errors a user can cause at inference time; all derive from :class:`~gan_engine.errors.GanEngineError`.

Front ends (the ``gan-engine`` CLI) report them without a traceback and exit with status 2.
"""

from __future__ import annotations

from gan_engine.errors import GanEngineError
from gan_engine.io.errors import InputError, OutputError

__all__ = [
    "CheckpointError",
    "ExportError",
    "InputError",
    "OutputError",
    "UnboundedReceptiveFieldWarning",
]


class CheckpointError(GanEngineError):
    """A checkpoint that is missing, unreadable or not written by GAN-Engine's training module."""


class ExportError(GanEngineError):
    """A model that cannot be exported to the requested format."""


class UnboundedReceptiveFieldWarning(UserWarning):
    """Tiles cannot match the untiled result exactly: the model's receptive field is unbounded."""
