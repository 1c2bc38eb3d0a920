"""Importing the optional readers (rasterio, nibabel, tifffile) only when a file needs them."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from gan_engine.io.errors import InputError


def require(module: str, extra: str, path: Path) -> ModuleType:
    """Import ``module`` or raise an :class:`InputError` naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        msg = (
            f"reading or writing {path} needs {module}, which is not installed: "
            f"pip install 'gan-engine[{extra}]' ({error})"
        )
        raise InputError(msg) from error
