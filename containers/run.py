"""Training runs from a validated spec: the one place that calls ``Trainer.fit``.

Everything is built before anything is written: a missing data folder, an unreadable image or missing
weights fail with nothing created on disk. Only then is the run directory made, the resolved spec
written into it, and training started.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import attrs
import lightning.pytorch as pl

from containers.application import ApplicationContainer
from containers.spec.resolved import write_resolved_spec
from containers.spec.schema import Spec

RESOLVED_SPEC_NAME = "spec.yaml"


@attrs.frozen
class TrainResult:
    """What a finished run produced.

    Attributes:
        run_dir: the run's folder (resolved spec, checkpoints, ``metrics.csv``, image grids).
        psnr: final validation PSNR of the model in dB, on denormalised outputs.
        psnr_bicubic: PSNR of bicubic (trilinear in 3D) interpolation on the same images.
        generator_steps: generator steps taken.
        best_checkpoint: the best checkpoint by the monitored metric, if any was saved.
        last_checkpoint: ``last.ckpt``, if saved.
    """

    run_dir: Path
    psnr: float | None
    psnr_bicubic: float | None
    generator_steps: int
    best_checkpoint: Path | None
    last_checkpoint: Path | None


def new_run_dir(spec: Spec, now: datetime | None = None) -> Path:
    """A fresh ``<run_root>/<name>/<YYYYmmdd-HHMMSS>`` folder path (suffixed ``-N`` if taken)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(spec.Logging.run_root) / spec.Logging.name / stamp
    candidate, index = base, 1
    while candidate.exists():
        candidate = base.with_name(f"{stamp}-{index}")
        index += 1
    return candidate


def train(spec: Spec, run_dir: Path | None = None) -> TrainResult:
    """Build every part of the run from ``spec``, then train; returns the final figures."""
    pl.seed_everything(spec.Training.seed, workers=True, verbose=False)
    run_dir = run_dir if run_dir is not None else new_run_dir(spec)
    app = ApplicationContainer(spec=spec, run_dir=run_dir)
    module = app.training.module()
    datamodule = app.data.datamodule()
    trainer = app.training.trainer()

    run_dir.mkdir(parents=True, exist_ok=True)
    write_resolved_spec(spec, run_dir / RESOLVED_SPEC_NAME)
    trainer.fit(module, datamodule=datamodule)

    validated_at = trainer.callback_metrics.get("val/generator_steps")
    if validated_at is None or int(validated_at.item()) != module.generator_steps:
        trainer.validate(module, datamodule=datamodule, verbose=False)
    checkpoint = trainer.checkpoint_callback
    best = getattr(checkpoint, "best_model_path", "") or None
    last = getattr(checkpoint, "last_model_path", "") or None
    return TrainResult(
        run_dir=run_dir,
        psnr=_metric(trainer, "val/psnr"),
        psnr_bicubic=_metric(trainer, "val/psnr_bicubic"),
        generator_steps=module.generator_steps,
        best_checkpoint=Path(best) if best else None,
        last_checkpoint=Path(last) if last else None,
    )


def _metric(trainer: pl.Trainer, key: str) -> float | None:
    value = trainer.callback_metrics.get(key)
    if value is None:
        return None
    number = float(value.item())
    return number if math.isfinite(number) else None
