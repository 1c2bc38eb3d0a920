"""The error for encoders whose library is an optional extra (``text``: open_clip)."""

from __future__ import annotations

from gan_engine.errors import GanEngineError


class MissingTextExtraError(GanEngineError, ImportError):
    """An encoder's optional dependency is not installed (or fails to import)."""


def missing_text_extra(error: ImportError, *, feature: str, path: str) -> MissingTextExtraError:
    """The error for loading ``path`` with ``feature`` (e.g. ``"open_clip"``) when it is missing."""
    msg = (
        f"loading the checkpoint '{path}' needs {feature}, from the 'text' extra: "
        f"pip install 'gan-engine[text]' ({error})"
    )
    return MissingTextExtraError(msg)
