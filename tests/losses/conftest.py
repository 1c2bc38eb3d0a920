"""Fixtures of the loss tests: a temporary TORCH_HOME holding random backbone weights."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from torch import Tensor

from tests.losses.weight_files import write_weight_files


@pytest.fixture(scope="session")
def weight_home(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, dict[str, Tensor]]]:
    home = tmp_path_factory.mktemp("torch_home")
    return home, write_weight_files(home)


@pytest.fixture
def torch_home(
    weight_home: tuple[Path, dict[str, dict[str, Tensor]]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, dict[str, dict[str, Tensor]]]]:
    """TORCH_HOME pointing at the random weights (``torch.hub.get_dir()`` follows it)."""
    monkeypatch.setenv("TORCH_HOME", str(weight_home[0]))
    assert Path(torch.hub.get_dir()) == weight_home[0] / "hub"
    return weight_home


@pytest.fixture
def empty_torch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TORCH_HOME with no weights at all."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    return tmp_path
