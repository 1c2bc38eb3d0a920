"""Fixtures for the file-format tests: the small image writers shared with the data tests."""

from __future__ import annotations

from tests.data.conftest import random_rgb, write_image

__all__ = ["random_rgb", "write_image"]
