"""PNG grids of validation samples: one row per sample, columns LR | bicubic | SR | HR."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor

COLUMNS = ("lr", "bicubic", "sr", "hr")


def to_display(x: Tensor, data_range: float) -> Tensor:
    """Map one sample ``[C, *S]`` in sensor units to an 8-bit-ready ``[3, H, W]`` image in ``[0, 1]``.

    Volumes show their middle depth slice; one band is shown as grey; more than three bands show the first
    three as RGB.
    """
    if x.ndim == 4:
        x = x[:, x.shape[1] // 2]
    x = x.float() / data_range
    x = x[:3] if x.shape[0] >= 3 else x[:1].expand(3, -1, -1)
    return x.clamp(0.0, 1.0)


def make_grid(images: Mapping[str, Tensor], data_range: float, max_samples: int) -> Tensor:
    """Arrange ``images`` (``lr``, ``bicubic``, ``sr``, ``hr`` batches) as a ``[3, H, W]`` grid.

    LR is enlarged with nearest-neighbour so pixels stay visible; a 2-pixel gap separates tiles.
    """
    hr = images["hr"]
    count = min(max_samples, hr.shape[0])
    size = hr.shape[-2:]
    rows = []
    for index in range(count):
        tiles = []
        for column in COLUMNS:
            tile = to_display(images[column][index].detach().cpu(), data_range)
            if tile.shape[-2:] != size:
                tile = F.interpolate(tile[None], size=size, mode="nearest")[0]
            tiles.append(F.pad(tile, (2, 2, 2, 2), value=1.0))
        rows.append(torch.cat(tiles, dim=2))
    return torch.cat(rows, dim=1)


def write_png(image: Tensor, path: Path) -> None:
    """Write a ``[3, H, W]`` image in ``[0, 1]`` as an 8-bit PNG, atomically (temporary file + rename)."""
    array = (image.permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".png.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            Image.fromarray(array).save(stream, format="PNG")
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class ValidationImageGrid(pl.Callback):
    """Writes ``<folder>/val_step<N>.png`` from the first validation batch of each validation run.

    ``N`` is the generator step. Skipped during Lightning's sanity check and on ranks other than 0.
    """

    def __init__(self, folder: str | Path, data_range: float, max_samples: int = 4) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.data_range = data_range
        self.max_samples = max_samples
        self.last_path: Path | None = None

    def on_validation_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        """Write the grid from the first batch."""
        if batch_idx != 0 or trainer.sanity_checking or not trainer.is_global_zero:
            return
        if not isinstance(outputs, Mapping) or not all(key in outputs for key in COLUMNS):
            return
        step = int(getattr(pl_module, "generator_steps", trainer.global_step))
        path = self.folder / f"val_step{step:07d}.png"
        write_png(make_grid(outputs, self.data_range, self.max_samples), path)
        self.last_path = path
