"""Fixtures for data tests: small image files written with Pillow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

RandomRGB = Callable[[int, int, int], np.ndarray]
WriteImage = Callable[[Path, np.ndarray], Path]


def _random_rgb(height: int, width: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _write_image(path: Path, array: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


@pytest.fixture
def random_rgb() -> RandomRGB:
    """``(height, width, seed) -> uint8 [H, W, 3]`` noise."""
    return _random_rgb


@pytest.fixture
def write_image() -> WriteImage:
    """``(path, array) -> path``: save an array with Pillow (format from the extension)."""
    return _write_image


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    """Five random 8-bit RGB PNGs of different sizes (48..80 x 64), named a.png … e.png."""
    folder = tmp_path / "photos"
    for seed, name in enumerate("abcde"):
        _write_image(folder / f"{name}.png", _random_rgb(48 + 8 * seed, 64, seed))
    return folder
