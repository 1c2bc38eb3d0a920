"""Builders for the Lightning side of a run: callbacks, logger and Trainer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import lightning.pytorch as pl
from lightning.pytorch.callbacks import (
    Callback,
    EarlyStopping,
    LearningRateMonitor,
    ModelCheckpoint,
)
from lightning.pytorch.loggers import Logger, TensorBoardLogger, WandbLogger

from containers.spec.resolved import spec_to_dict, spec_to_yaml
from containers.spec.schema import Spec
from gan_engine.errors import GanEngineError
from gan_engine.protocols import DatasetSelector
from gan_engine.training.callbacks.checkpoints import GeneratorStepCheckpoint, LastCheckpoint
from gan_engine.training.callbacks.extra_validation import ExtraValidation, ValidationHook
from gan_engine.training.callbacks.histograms import ParameterHistograms
from gan_engine.training.callbacks.image_grid import ValidationImageGrid
from gan_engine.training.callbacks.spec_snapshot import SpecSnapshot
from gan_engine.training.checkpoint_io import AtomicCheckpointIO
from gan_engine.training.csv_logger import AppendingCSVLogger

CHECKPOINT_DIR = "checkpoints"
"""Checkpoint folder inside a run directory."""

# Lightning's TensorBoardLogger writes with tensorboardX when installed, else torch's SummaryWriter
# (which needs tensorboard).
_LOGGER_MODULES = {"tensorboard": ("tensorboard", "tensorboardX"), "wandb": ("wandb",)}


def build_callbacks(
    spec: Spec, run_dir: Path, selector: DatasetSelector, hooks: list[ValidationHook]
) -> list[Callback]:
    """Checkpointing, image grids, the spec snapshot and the optional callbacks in ``Callbacks``.

    The GAN module adds its own (EMA swap, plateau schedules) through ``configure_callbacks``.
    """
    section = spec.Callbacks
    checkpoint = section.checkpoint
    callbacks: list[Callback] = [
        ModelCheckpoint(
            dirpath=run_dir / CHECKPOINT_DIR,
            filename="best-epoch{epoch:03d}-step{step:07d}",
            auto_insert_metric_name=False,
            monitor=checkpoint.monitor,
            mode=checkpoint.mode,
            save_top_k=checkpoint.save_top_k,
            save_last=False,  # LastCheckpoint: Lightning 2.6 refreshes last only with a top-k save
        )
    ]
    if checkpoint.save_last:
        callbacks.append(LastCheckpoint(run_dir / CHECKPOINT_DIR))
    if checkpoint.every_n_steps is not None:
        callbacks.append(
            GeneratorStepCheckpoint(
                run_dir / CHECKPOINT_DIR, checkpoint.every_n_steps, save_last=checkpoint.save_last
            )
        )
    if section.image_grid.enabled:
        callbacks.append(
            ValidationImageGrid(
                run_dir / "images", selector.data_range, section.image_grid.max_samples
            )
        )
    callbacks.append(SpecSnapshot(spec_to_dict(spec), spec_to_yaml(spec)))
    if section.lr_monitor:
        callbacks.append(LearningRateMonitor(logging_interval="step"))
    if section.early_stopping is not None:
        stopping = section.early_stopping
        callbacks.append(
            EarlyStopping(
                monitor=stopping.monitor,
                mode=stopping.mode,
                patience=stopping.patience,
                min_delta=stopping.min_delta,
            )
        )
    if section.histograms is not None:
        callbacks.append(ParameterHistograms(section.histograms.every_n_steps))
    if hooks:
        callbacks.append(ExtraValidation(hooks))
    return callbacks


def build_logger(spec: Spec, run_dir: Path) -> Logger:
    """The logger named by ``Logging.logger``, writing into the run directory.

    ``csv`` writes ``<run_dir>/metrics.csv`` (appending when a run is resumed), ``tensorboard``
    event files under ``<run_dir>/tensorboard/``, ``wandb`` a run under ``<run_dir>/wandb/`` (offline
    unless ``Logging.wandb.offline`` is false).
    """
    section = spec.Logging
    kind = section.logger
    modules = _LOGGER_MODULES.get(kind, ())
    if modules and not any(importlib.util.find_spec(module) for module in modules):
        msg = (
            f"Logging.logger: '{kind}' needs the '{kind}' extra, which is not installed: "
            f"pip install 'gan-engine[{kind}]' (or use logger: csv)"
        )
        raise GanEngineError(msg)
    if kind == "tensorboard":
        # no "hp_metric" placeholder scalar: the spec is logged as hparams without a metric
        return TensorBoardLogger(
            save_dir=run_dir, name="", version="tensorboard", default_hp_metric=False
        )
    if kind == "wandb":
        return WandbLogger(
            save_dir=str(run_dir),
            name=section.name,
            project=section.wandb.project,
            offline=section.wandb.offline,
        )
    return AppendingCSVLogger(save_dir=run_dir, name="", version="")


def build_trainer(
    spec: Spec, run_dir: Path, callbacks: list[Callback], logger: Logger
) -> pl.Trainer:
    """The Trainer: the spec's ``Trainer`` keywords plus what the engine owns.

    ``spec`` must be resolved (:func:`containers.hardware.resolve_spec`): no ``auto`` precision.
    """
    if spec.Training.precision == "auto":
        msg = "Training.precision is still 'auto': resolve the spec first (containers.hardware)"
        raise GanEngineError(msg)
    return pl.Trainer(
        **spec.Trainer,
        precision=spec.Training.precision,
        logger=logger,
        callbacks=callbacks,
        default_root_dir=run_dir,
        plugins=[AtomicCheckpointIO()],
    )
