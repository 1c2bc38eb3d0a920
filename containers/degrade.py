"""``gan-engine degrade``: write example LR/HR pairs of a spec's data and a PNG grid to look at.

Pairs come from the training dataset, in batches of ``Data.batch_size`` as training makes them, with
the same per-sample seeds as epoch 0 of a run (the pool, which only reorders pairs, is left out).
Each pair is written as ``NNN_lr.npy`` and ``NNN_hr.npy`` (float32, sensor units, ``[C, *S]``) and
``grid.png`` shows one row per pair: the dataset's plain LR, the degraded LR, and the HR target.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch.utils.data import default_collate

from containers.builders import build_selector
from containers.degradation_builders import build_degradation
from containers.spec.schema import Spec
from gan_engine.data.seeding import SeededSamples
from gan_engine.errors import DataError
from gan_engine.training.callbacks.image_grid import to_display, write_png


@attrs.frozen
class DegradeReport:
    """What ``degrade`` wrote: the pair count, the grid, and whether a stage pipeline made the LR."""

    pairs: int
    grid: Path
    pipeline: bool


def _tile(x: Tensor, data_range: float, size: tuple[int, int]) -> Tensor:
    tile = to_display(x.detach().cpu(), data_range)
    if tile.shape[-2:] != size:
        tile = F.interpolate(tile[None], size=size, mode="nearest")[0]
    return F.pad(tile, (2, 2, 2, 2), value=1.0)


def write_examples(spec: Spec, out: Path, count: int) -> DegradeReport:
    """Write ``count`` example pairs of ``spec``'s training data under ``out`` (see the module doc)."""
    if count < 1:
        msg = f"--n must be >= 1, got {count}"
        raise DataError(msg)
    selector = build_selector(spec)
    pipeline = build_degradation(spec, selector)
    dataset = SeededSamples(selector.train_dataset(), spec.Training.seed)
    count = min(count, len(dataset))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    batch_size = spec.Data.batch_size
    for start in range(0, count, batch_size):
        batch = default_collate([dataset[i] for i in range(start, min(count, start + batch_size))])
        plain, hr = batch["lr"], batch["hr"]
        lr = plain
        if pipeline is not None:
            lr, hr = pipeline(hr, batch["degradation_seed"], training=False)
        for offset in range(hr.shape[0]):
            index = start + offset
            np.save(out / f"{index:03d}_lr.npy", lr[offset].float().numpy())
            np.save(out / f"{index:03d}_hr.npy", hr[offset].float().numpy())
            size = tuple(hr.shape[-2:])
            columns = (plain[offset], lr[offset], hr[offset])
            rows.append(torch.cat([_tile(c, selector.data_range, size) for c in columns], dim=2))
    grid = out / "grid.png"
    pixels = torch.cat(rows, dim=1).permute(1, 2, 0).numpy()  # [H, W, 3] in [0, 1]
    write_png((pixels * 255.0 + 0.5).astype(np.uint8), grid)
    return DegradeReport(pairs=count, grid=grid, pipeline=pipeline is not None)
