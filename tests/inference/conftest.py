from __future__ import annotations

from pathlib import Path

import pytest

from tests.inference.models import train_checkpoint


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real checkpoint of a 2-step quickstart run (x4, RGB, srresnet, minmax 0..255)."""
    return train_checkpoint(tmp_path_factory.mktemp("trained"))
