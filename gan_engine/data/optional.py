"""Errors for readers whose library is an optional extra (``medical``, ``microscopy``, ``video``).

Readers import their library inside the function that needs it, so ``import gan_engine.data`` works
without any extra installed; a missing library becomes a :class:`MissingExtraError` naming the
extra to install.
"""

from __future__ import annotations

from gan_engine.errors import DataError


class MissingExtraError(DataError, ImportError):
    """A reader's optional dependency is not installed (or fails to import)."""


def missing_extra(error: ImportError, *, feature: str, extra: str) -> MissingExtraError:
    """The error for ``feature`` (e.g. ``"NIfTI support"``) whose library is in extra ``extra``.

    Example message: ``NIfTI support needs the 'medical' extra: pip install 'gan-engine[medical]'
    (No module named 'nibabel')``.
    """
    msg = f"{feature} needs the '{extra}' extra: pip install 'gan-engine[{extra}]' ({error})"
    return MissingExtraError(msg)
