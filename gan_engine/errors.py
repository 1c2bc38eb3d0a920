"""Exceptions a user can cause, so front ends can report them without a traceback.

Everything raised for bad input (an unknown component, an invalid parameter, a missing or unreadable file,
missing pretrained weights) derives from :class:`GanEngineError`. Bugs raise ordinary exceptions.
"""

from __future__ import annotations


class GanEngineError(Exception):
    """Base class of every error caused by user input or the environment rather than by a bug."""


class ComponentNotFoundError(GanEngineError, LookupError):
    """A component name that no registry, entry point or import path provides."""


class InvalidParamError(GanEngineError, ValueError):
    """A component parameter with a value outside what the component accepts.

    Attributes:
        key: dotted key of the parameter relative to the component's ``params`` (e.g. ``"n_blocks"``).
        message: what was expected and what was found.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class DataError(GanEngineError):
    """Input data that cannot be used: a missing folder, an unreadable file, a wrong band count."""


class WeightsNotFoundError(GanEngineError, FileNotFoundError):
    """Pretrained weights that are not on disk (nothing is ever downloaded)."""
