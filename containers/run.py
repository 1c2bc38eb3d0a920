"""Training runs from a validated spec: the one place that calls ``Trainer.fit``.

Everything is built before anything is written: a missing data folder, an unreadable image or missing
weights fail with nothing created on disk. Only then is the run directory made, the resolved spec
written into it, and training started.

A run resumes from a checkpoint (``resume``: a path, or ``"last"`` for the newest
``<run_root>/<name>/*/checkpoints/last.ckpt``, or with an explicit run directory that directory's
latest checkpoint) into the checkpoint's own run directory: optimisers,
schedules, EMA, counters, RNG states and the loop position are restored, and the CSV log is appended to.
Resuming from an end-of-epoch checkpoint (``last.ckpt`` is written after every epoch) or a mid-epoch
one (``Callbacks.checkpoint.every_n_steps``, or a run stopped by ``Training.max_generator_steps``)
continues exactly as the uninterrupted run would: the training loader's checkpointed state makes it
serve the rest of the interrupted epoch.

Under DDP Lightning re-runs the command for the other ranks; they find the run directory of rank 0 in
the ``GAN_ENGINE_RUN_DIR`` environment variable, set while ``fit`` runs.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import lightning.pytorch as pl
import torch

from containers import builders
from containers.application import ApplicationContainer
from containers.hardware import apply_backend_flags, keep_checkpoint_hardware
from containers.spec.loader import spec_from_dict
from containers.spec.problems import SpecError
from containers.spec.resolved import spec_to_dict, write_resolved_spec
from containers.spec.schema import Spec
from containers.trainer_builders import CHECKPOINT_DIR
from gan_engine.training.callbacks.checkpoints import LAST_NAME
from gan_engine.training.checkpoint_io import CheckpointFormatError
from gan_engine.training.module import CHECKPOINT_KEY

RESOLVED_SPEC_NAME = "spec.yaml"
RUN_DIR_ENV = "GAN_ENGINE_RUN_DIR"
"""Environment variable through which DDP's re-launched ranks find rank 0's run directory."""
LAST = "last"
"""``resume`` value meaning the newest ``last.ckpt`` of the spec's experiment (or of ``run_dir``)."""
_MODEL_SECTIONS = ("Task", "Generator", "Discriminator", "Normalisation")
_MODEL_DATA_KEYS = ("dimensions", "channels", "scale")


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
        resumed_from: the checkpoint the run continued from, if any.
        is_global_zero: whether this process is rank 0 (under DDP every rank returns a result).
    """

    run_dir: Path
    psnr: float | None
    psnr_bicubic: float | None
    generator_steps: int
    best_checkpoint: Path | None
    last_checkpoint: Path | None
    resumed_from: Path | None = None
    is_global_zero: bool = True


def new_run_dir(spec: Spec, now: datetime | None = None) -> Path:
    """A fresh ``<run_root>/<name>/<YYYYmmdd-HHMMSS>`` folder path (suffixed ``-N`` if taken)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(spec.Logging.run_root) / spec.Logging.name / stamp
    candidate, index = base, 1
    while candidate.exists():
        candidate = base.with_name(f"{stamp}-{index}")
        index += 1
    return candidate


def find_last_checkpoint(spec: Spec) -> Path:
    """The most recently written ``<run_root>/<name>/*/checkpoints/last.ckpt``.

    Raises:
        CheckpointFormatError: there is none.
    """
    root = Path(spec.Logging.run_root) / spec.Logging.name
    candidates = list(root.glob(f"*/{CHECKPOINT_DIR}/{LAST_NAME}"))
    if not candidates:
        msg = f"--resume last: no run of '{spec.Logging.name}' has a {CHECKPOINT_DIR}/last.ckpt under {root}"
        raise CheckpointFormatError(msg)
    return max(candidates, key=lambda path: path.stat().st_mtime)


def find_run_dir_checkpoint(run_dir: Path) -> Path:
    """The latest checkpoint of one run directory: ``checkpoints/last.ckpt``, else the newest ``*.ckpt``.

    ``last.ckpt`` is rewritten with every end-of-epoch and periodic checkpoint, so when it exists it
    is the latest; a run with ``save_last: false`` falls back to the most recently written file.

    Raises:
        CheckpointFormatError: the directory has no checkpoint.
    """
    folder = run_dir / CHECKPOINT_DIR
    last = folder / LAST_NAME
    if last.is_file():
        return last
    candidates = [path for path in folder.glob("*.ckpt") if path.is_file()]
    if not candidates:
        msg = f"--resume last --run-dir {run_dir}: no checkpoint (*.ckpt) in {folder}"
        raise CheckpointFormatError(msg)
    return max(candidates, key=lambda path: (path.stat().st_mtime, path.name))


def resolve_resume(spec: Spec, resume: str | Path, run_dir: Path | None) -> tuple[Path, Path]:
    """The checkpoint to resume from and the run directory to continue in.

    ``resume`` is ``"last"`` or a checkpoint path. ``"last"`` with an explicit ``run_dir`` means
    that directory's latest checkpoint; without one, the newest ``last.ckpt`` of the spec's
    experiment. Without an explicit ``run_dir``, a checkpoint in ``<run>/checkpoints/`` continues in
    ``<run>``; one elsewhere starts a new run directory.
    """
    if str(resume) == LAST:
        checkpoint = (
            find_run_dir_checkpoint(run_dir) if run_dir is not None else find_last_checkpoint(spec)
        )
    else:
        checkpoint = Path(resume)
        if not checkpoint.is_file():
            msg = f"--resume: no checkpoint file at {checkpoint}"
            raise CheckpointFormatError(msg)
    if run_dir is None:
        in_run = checkpoint.parent.name == CHECKPOINT_DIR
        run_dir = checkpoint.parent.parent if in_run else new_run_dir(spec)
    return checkpoint, run_dir


def check_resumable(spec: Spec, checkpoint: Path) -> dict[str, Any]:
    """The checkpoint's GAN-Engine state, after checking it builds the same model as ``spec``.

    Loaded with ``weights_only=True`` and memory-mapped, so only what is read is paged in.

    Raises:
        CheckpointFormatError: not a GAN-Engine checkpoint, or its generator, discriminator,
            normalisation or data geometry differ from the spec's.
    """
    try:
        content = torch.load(checkpoint, map_location="cpu", weights_only=True, mmap=True)
    except Exception as error:
        msg = f"cannot read the checkpoint {checkpoint}: {error}"
        raise CheckpointFormatError(msg) from error
    state = content.get(CHECKPOINT_KEY) if isinstance(content, dict) else None
    if not isinstance(state, dict):
        msg = f"{checkpoint} is not a GAN-Engine checkpoint: it has no '{CHECKPOINT_KEY}' entry"
        raise CheckpointFormatError(msg)
    saved = _with_defaults(state.get("spec") or {})
    current = spec_to_dict(spec)
    differing = [key for key in _MODEL_SECTIONS if saved.get(key) != current.get(key)]
    saved_data, data = saved.get("Data", {}), current.get("Data", {})
    differing += [f"Data.{key}" for key in _MODEL_DATA_KEYS if saved_data.get(key) != data.get(key)]
    if differing:
        msg = (
            f"cannot resume from {checkpoint}: the spec's {', '.join(differing)} differ from the "
            "checkpoint's (resume with the run's own spec.yaml)"
        )
        raise CheckpointFormatError(msg)
    return state


def _with_defaults(saved: Any) -> Any:
    """A checkpoint's spec with the defaults of today's schema filled in.

    A checkpoint written before a section existed (``Task``, say) then compares equal to the spec
    it was trained with; a spec that no longer validates is compared as it is.
    """
    try:
        return spec_to_dict(spec_from_dict(saved))
    except SpecError:
        return saved


@contextmanager
def _run_dir_for_other_ranks(run_dir: Path) -> Iterator[None]:
    previous = os.environ.get(RUN_DIR_ENV)
    os.environ[RUN_DIR_ENV] = str(run_dir)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(RUN_DIR_ENV, None)
        else:
            os.environ[RUN_DIR_ENV] = previous


def train(
    spec: Spec,
    run_dir: Path | None = None,
    resume: str | Path | None = None,
    *,
    announce: Callable[[str], None] | None = None,
) -> TrainResult:
    """Build every part of the run from ``spec``, then train; returns the final figures.

    ``Training.precision``/``channels_last: auto`` are resolved for the Trainer's device before
    anything is built (a resumed run keeps its checkpoint's values); the resolved spec is written.

    Args:
        spec: the validated run spec.
        run_dir: where to write the run (default: a new ``<run_root>/<name>/<timestamp>``, or the
            resumed checkpoint's run).
        resume: ``"last"`` or a checkpoint path to continue from.
        announce: receives one line saying which precision and layout the run uses and why
            (rank 0 only).
    """
    pl.seed_everything(spec.Training.seed, workers=True, verbose=False)
    relaunched = RUN_DIR_ENV in os.environ
    if run_dir is None and relaunched:
        run_dir = Path(os.environ[RUN_DIR_ENV])  # a DDP rank re-launched by Lightning
    checkpoint: Path | None = None
    kept = ""
    if resume is not None:
        checkpoint, run_dir = resolve_resume(spec, resume, run_dir)
        given = spec
        spec = keep_checkpoint_hardware(spec, check_resumable(spec, checkpoint).get("spec") or {})
        kept = " (kept from the resumed checkpoint)" if spec != given else ""
    run_dir = run_dir if run_dir is not None else new_run_dir(spec)
    app = ApplicationContainer(spec=spec, run_dir=run_dir)
    builders.check_prompt_keys(app.components.task(), app.data.selector())
    hardware = app.hardware()
    apply_backend_flags(hardware.choice)
    note = f"Hardware: {hardware.choice.reason}{kept}"
    if announce is not None and not relaunched:
        announce(note)
    module = app.training.module()
    datamodule = app.data.datamodule()
    trainer = app.training.trainer()

    run_dir.mkdir(parents=True, exist_ok=True)
    write_resolved_spec(hardware.spec, run_dir / RESOLVED_SPEC_NAME, notes=[note])
    with _run_dir_for_other_ranks(run_dir):
        trainer.fit(module, datamodule=datamodule, ckpt_path=checkpoint, weights_only=True)

    validated_at = trainer.callback_metrics.get("val/generator_steps")
    if validated_at is None or int(validated_at.item()) != module.generator_steps:
        trainer.validate(module, datamodule=datamodule, verbose=False, weights_only=True)
    best = getattr(trainer.checkpoint_callback, "best_model_path", "") or None
    last_path = run_dir / CHECKPOINT_DIR / LAST_NAME
    last = str(last_path) if spec.Callbacks.checkpoint.save_last and last_path.is_file() else None
    return TrainResult(
        run_dir=run_dir,
        psnr=_metric(trainer, "val/psnr"),
        psnr_bicubic=_metric(trainer, "val/psnr_bicubic"),
        generator_steps=module.generator_steps,
        best_checkpoint=Path(best) if best else None,
        last_checkpoint=Path(last) if last else None,
        resumed_from=checkpoint,
        is_global_zero=trainer.is_global_zero,
    )


def _metric(trainer: pl.Trainer, key: str) -> float | None:
    value = trainer.callback_metrics.get(key)
    if value is None:
        return None
    number = float(value.item())
    return number if math.isfinite(number) else None
