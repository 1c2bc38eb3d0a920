"""Errors a user can cause by handing the file-format layer a file it cannot read or a path it cannot write.

Both derive from :class:`~gan_engine.errors.GanEngineError`; front ends (the ``gan-engine`` CLI) report
them without a traceback and exit with status 2. :mod:`gan_engine.inference.errors` re-exports them.
"""

from __future__ import annotations

from gan_engine.errors import DataError, GanEngineError


class InputError(DataError):
    """A file that cannot be read, or an input the model cannot take: a wrong band count or dimensions.

    Training readers raise it too; it is a :class:`~gan_engine.errors.DataError`, the class training
    code catches.
    """


class OutputError(GanEngineError):
    """An output path that would overwrite an input or an existing file, or that cannot be written."""
