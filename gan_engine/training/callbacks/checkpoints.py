"""``last.ckpt`` after every training epoch, and checkpoints every N generator steps.

Lightning 2.6's ``ModelCheckpoint`` refreshes ``last.ckpt`` only when it also saved a top-k checkpoint,
so after an epoch whose metric did not improve ``last.ckpt`` would lag behind, and a resumed run would
repeat work. The engine turns its ``save_last`` off and writes ``last.ckpt`` with these instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import lightning.pytorch as pl

LAST_NAME = "last.ckpt"


class LastCheckpoint(pl.Callback):
    """Writes ``<dirpath>/last.ckpt`` at the end of every training epoch (after its validation).

    Resuming from it continues exactly (see :mod:`containers.run`). Writes go through the Trainer's
    checkpoint IO on rank 0.

    Args:
        dirpath: the checkpoint folder.
    """

    def __init__(self, dirpath: str | Path) -> None:
        super().__init__()
        self.dirpath = Path(dirpath)
        self.last_path: Path | None = None

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Save ``last.ckpt``."""
        if trainer.sanity_checking or getattr(trainer, "fast_dev_run", False):
            return
        path = self.dirpath / LAST_NAME
        trainer.save_checkpoint(path, weights_only=False)  # full state: resume needs the optimisers
        self.last_path = path


class GeneratorStepCheckpoint(pl.Callback):
    """Writes ``<dirpath>/step<N>.ckpt`` after every ``every_n_steps``-th generator step.

    Lightning's ``ModelCheckpoint(every_n_train_steps=…)`` counts ``trainer.global_step``, which grows
    by two per adversarial batch in manual optimisation; this counts the module's ``generator_steps``.
    Every periodic checkpoint is kept; with ``save_last`` it is also copied (atomically) to
    ``last.ckpt`` so ``gan-engine train --resume last`` continues from the newest one. Writes go through
    the Trainer's checkpoint IO (atomic with the engine's) and happen on rank 0 only.

    Args:
        dirpath: the checkpoint folder.
        every_n_steps: generator steps between checkpoints.
        save_last: also refresh ``last.ckpt``.
    """

    def __init__(self, dirpath: str | Path, every_n_steps: int, save_last: bool = True) -> None:
        super().__init__()
        if every_n_steps < 1:
            msg = f"every_n_steps must be >= 1, got {every_n_steps}"
            raise ValueError(msg)
        self.dirpath = Path(dirpath)
        self.every_n_steps = every_n_steps
        self.save_last = save_last
        self._saved_at = -1

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        """Save when the generator has just completed a multiple of ``every_n_steps`` steps."""
        step = int(getattr(pl_module, "generator_steps", trainer.global_step))
        if step == 0 or step == self._saved_at or step % self.every_n_steps != 0:
            return
        self._saved_at = step
        path = self.dirpath / f"step{step:07d}.ckpt"
        trainer.save_checkpoint(path, weights_only=False)  # full state: resume needs the optimisers
        if self.save_last and trainer.is_global_zero:
            _copy_atomically(path, self.dirpath / LAST_NAME)


def _copy_atomically(source: Path, target: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".ckpt.tmp")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
