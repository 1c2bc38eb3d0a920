"""A fast variant of the quickstart spec for end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "specs" / "quickstart.yaml"

# Two tiny adversarial steps on 32-px patches: the same spec and code path as the quickstart.
FAST = [
    "Data.params.patch_size=32",
    "Data.params.val_patch_size=64",
    "Data.params.samples_per_epoch=4",
    "Data.batch_size=2",
    "Data.val_batch_size=2",
    "Generator.params={n_channels: 8, n_blocks: 1}",
    "Discriminator.params={base_channels: 8, n_blocks: 2, head_channels: 16}",
    "Training.pretrain_steps=1",
    "Trainer.max_epochs=1",
    "Trainer.limit_val_batches=1",
    "Trainer.enable_progress_bar=false",
    "Trainer.enable_model_summary=false",
]


@pytest.fixture
def fast_overrides(tmp_path: Path) -> list[str]:
    return [*FAST, f"Logging.run_root={tmp_path / 'runs'}"]


@pytest.fixture
def quickstart() -> Path:
    return QUICKSTART
