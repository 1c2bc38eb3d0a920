"""Optional readers (rasterio, nibabel, tifffile, imageio), imported only when a file needs them.

Readers import their library inside the function that needs it, so ``import gan_engine.io`` (and
``gan_engine.data``) works without any extra installed. A missing library becomes an error naming the
extra to install, a :class:`MissingExtraError` (an :class:`~gan_engine.io.errors.InputError` and an
``ImportError``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from gan_engine.io.errors import InputError


class MissingExtraError(InputError, ImportError):
    """A reader's optional dependency is not installed (or fails to import)."""


def missing_extra(error: ImportError, *, feature: str, extra: str) -> MissingExtraError:
    """The error for ``feature`` (e.g. ``"NIfTI support"``) whose library is in extra ``extra``.

    Example message: ``NIfTI support needs the 'medical' extra: pip install 'gan-engine[medical]'
    (No module named 'nibabel')``.
    """
    msg = f"{feature} needs the '{extra}' extra: pip install 'gan-engine[{extra}]' ({error})"
    return MissingExtraError(msg)


def require(module: str, extra: str, path: Path) -> ModuleType:
    """Import ``module`` or raise a :class:`MissingExtraError` naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        msg = (
            f"reading or writing {path} needs {module}, which is not installed: "
            f"pip install 'gan-engine[{extra}]' ({error})"
        )
        raise MissingExtraError(msg) from error
