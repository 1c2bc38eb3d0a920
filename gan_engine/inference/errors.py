"""Errors a user can cause at inference time; all derive from :class:`~gan_engine.errors.GanEngineError`.

Front ends (the ``gan-engine`` CLI) report them without a traceback and exit with status 2.
"""

from __future__ import annotations

from gan_engine.errors import DataError, GanEngineError


class CheckpointError(GanEngineError):
    """A checkpoint that is missing, unreadable or not written by GAN-Engine's training module."""


class InputError(DataError):
    """An input the model cannot take: unreadable, a wrong band count or wrong dimensions."""


class OutputError(GanEngineError):
    """An output path that would overwrite an input or an existing file, or that cannot be written."""


class ExportError(GanEngineError):
    """A model that cannot be exported to the requested format."""


class UnboundedReceptiveFieldWarning(UserWarning):
    """Tiles cannot match the untiled result exactly: the model's receptive field is unbounded."""
