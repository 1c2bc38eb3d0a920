"""``Callbacks.extra_validation`` hooks for tests; they write into ``$GAN_ENGINE_TEST_HOOK_DIR``."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import lightning.pytorch as pl
from torch import Tensor

HOOK_DIR_ENV = "GAN_ENGINE_TEST_HOOK_DIR"


def weights_digest(module: pl.LightningModule) -> str:
    """SHA-256 over the generator's state dict (names and exact bytes)."""
    digest = hashlib.sha256()
    for name, value in sorted(module.generator.state_dict().items()):
        digest.update(name.encode())
        digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def write_weight_hash(module: pl.LightningModule, outputs: list[dict[str, Tensor]]) -> None:
    """Append ``<generator_steps> <digest>`` to ``rank<global_rank>.txt`` (one line per validation)."""
    folder = Path(os.environ[HOOK_DIR_ENV])
    folder.mkdir(parents=True, exist_ok=True)
    line = f"{module.generator_steps} {weights_digest(module)}\n"
    with (folder / f"rank{module.global_rank}.txt").open("a") as stream:
        stream.write(line)


def record_psnr(module: pl.LightningModule, outputs: list[dict[str, Tensor]]) -> None:
    """Append ``<generator_steps> <samples> <mean psnr>`` to ``psnr.txt``."""
    folder = Path(os.environ[HOOK_DIR_ENV])
    folder.mkdir(parents=True, exist_ok=True)
    values = [float(v) for batch in outputs for v in batch["psnr"]]
    line = f"{module.generator_steps} {len(values)} {sum(values) / len(values):.4f}\n"
    with (folder / "psnr.txt").open("a") as stream:
        stream.write(line)
