"""Fixtures of the metric tests: real photos from scikit-image and random AlexNet weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from numpy.typing import NDArray
from scipy import ndimage
from skimage import data as samples
from torch import Tensor

from tests.losses.weight_files import ALEXNET_FILE, write_weight_files


def distorted(image: NDArray[np.uint8], seed: int) -> NDArray[np.uint8]:
    """Blur (σ = 1 px) plus Gaussian noise (σ = 8 grey levels), back to uint8: a realistic SR error."""
    rng = np.random.default_rng(seed)
    sigma = (1.0, 1.0, 0.0) if image.ndim == 3 else 1.0
    blurred = ndimage.gaussian_filter(image.astype(np.float64), sigma=sigma)
    noisy = blurred + rng.normal(0.0, 8.0, size=image.shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def photos() -> dict[str, NDArray[np.uint8]]:
    """Real photos shipped with scikit-image: channels last for RGB."""
    return {
        "astronaut": samples.astronaut()[100:228, 150:278],
        "chelsea": samples.chelsea()[60:188, 150:278],
        "camera": samples.camera()[100:228, 200:328],
    }


def as_batch(image: NDArray[np.generic]) -> Tensor:
    """``[H, W]`` or ``[H, W, 3]`` uint8 → ``[1, C, H, W]`` float64."""
    array = image[None] if image.ndim == 2 else np.moveaxis(image, -1, 0)
    return torch.from_numpy(array.astype(np.float64))[None]


@pytest.fixture(scope="session")
def alexnet_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Tensor]]:
    home = tmp_path_factory.mktemp("torch_home")
    return home, write_weight_files(home, (ALEXNET_FILE,))[ALEXNET_FILE]


@pytest.fixture
def torch_home(
    alexnet_home: tuple[Path, dict[str, Tensor]], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, dict[str, Tensor]]:
    monkeypatch.setenv("TORCH_HOME", str(alexnet_home[0]))
    return alexnet_home
