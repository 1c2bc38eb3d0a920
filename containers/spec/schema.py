"""The attrs classes a run spec is validated into.

Section names (``Data``, ``Task``, ``Generator``, ``Discriminator``, ``Losses``, ``Normalisation``,
``Training``, ``Callbacks``, ``Logging``, ``Trainer``, ``Validation``) are capitalised as users write
them in YAML. A component's ``params`` is a plain mapping after the first validation pass and an
instance of the component's own attrs parameter class once the loader has resolved the component in
its registry;
the loader then also keeps the registry entry it looked up on the section, in ``entry`` (see
:mod:`containers.spec.sites`). That field is no ``__init__`` argument, so YAML cannot set it, the
resolved ``spec.yaml`` and the docs leave it out and ``attrs.evolve`` (a changed name) drops it; it is
not compared, so specs equal by their text are equal.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from gan_engine.normalisers.conditioning import ConditioningNormalisation
from gan_engine.params import at_least
from gan_engine.registry import Entry
from gan_engine.training.config import TrainingConfig
from gan_engine.training.schedules import WeightSchedule


@attrs.frozen
class ComponentSpec:
    """A registered component: its name (or ``package.module:Class``) and its parameters."""

    name: str
    params: Any = attrs.field(factory=dict)
    entry: Entry[Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.frozen
class TaskSpec:
    """What the run trains for: what a batch means, how the networks are called, what is measured.

    Attributes:
        name: registered task (``super_resolution``, …) or ``package.module:Class``. The task's
            conditioning must fit the generator's and the discriminator's capabilities.
        params: the task's parameters.
    """

    name: str = "super_resolution"
    params: Any = attrs.field(factory=dict)
    entry: Entry[Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.frozen
class GeneratorSpec:
    """The generator, optionally initialised from pretrained weights.

    Attributes:
        name: registered generator name or ``package.module:Class``.
        params: the generator's parameters.
        pretrained: path to a state dict to start from (``.pt``/``.pth``/``.ckpt``/``.safetensors``).
    """

    name: str
    params: Any = attrs.field(factory=dict)
    pretrained: str | None = None
    entry: Entry[Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.frozen
class LossTermSpec:
    """One weighted loss term; adversarial terms are also the discriminator's objective.

    Attributes:
        name: registered loss name or ``package.module:Class``.
        weight: the term's full weight.
        params: the loss's parameters.
        schedule: how the weight follows the generator step (warm-up delay, linear or cosine ramp).
    """

    name: str
    weight: float = 1.0
    params: Any = attrs.field(factory=dict)
    schedule: WeightSchedule = attrs.field(factory=WeightSchedule)
    entry: Entry[Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.frozen
class NormalisationSpec:
    """The normaliser of both branches, with optional per-branch overrides.

    Attributes:
        name: normaliser of both branches unless ``lr`` or ``hr`` names another.
        params: its parameters.
        lr: another normaliser for the low-resolution branch.
        hr: another normaliser for the high-resolution branch.
        fit_samples: training samples streamed to fit data-driven normalisers (z-score,
            percentile, …) before training; fixed normalisers ignore it.
        conditioning: normalisation of conditioning embeddings (``embedding``, ``tokens``:
            ``none``, ``l2`` or ``zscore`` with given ``mean``/``std``); hole masks are never
            normalised.
    """

    name: str = "identity"
    params: Any = attrs.field(factory=dict)
    lr: ComponentSpec | None = None
    hr: ComponentSpec | None = None
    fit_samples: int = attrs.field(default=256, validator=at_least(1))
    conditioning: ConditioningNormalisation = attrs.field(factory=ConditioningNormalisation)
    entry: Entry[Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.frozen
class DataSpec:
    """The data: modality keyword (dataset selector), geometry and loading.

    Attributes:
        dataset: registered dataset selector (``rgb_folder``, ``sample_photos``, …).
        params: the selector's parameters.
        dimensions: ``2d`` images or ``3d`` volumes; every component must support it.
        channels: bands per image (3 for RGB).
        scale: super-resolution factor.
        batch_size: training batch size.
        val_batch_size: validation batch size.
        num_workers: data-loading worker processes (0 loads in the training process). ``auto``: one
            per CPU core beyond the first, at most 4 (1 on a 2-core machine), so the next batches are
            prepared while the step runs.
        pin_memory: pin host memory for faster copies to a GPU.
    """

    dataset: str
    params: Any = attrs.field(factory=dict)
    dimensions: Literal["2d", "3d"] = "2d"
    channels: int = attrs.field(default=3, validator=at_least(1))
    scale: int = attrs.field(default=4, validator=at_least(1))
    batch_size: int = attrs.field(default=8, validator=at_least(1))
    val_batch_size: int = attrs.field(default=4, validator=at_least(1))
    num_workers: int | Literal["auto"] = attrs.field(default="auto", validator=at_least(0))
    pin_memory: bool = False
    entry: Entry[Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def spatial_dims(self) -> Literal[2, 3]:
        """``dimensions`` as a number of spatial axes."""
        return 2 if self.dimensions == "2d" else 3


@attrs.frozen
class EarlyStoppingSpec:
    """Stop when a validation metric stops improving.

    Attributes:
        monitor: the logged metric to watch, e.g. ``val/psnr`` or ``val/ssim``.
        mode: ``max`` when larger is better (PSNR, SSIM), ``min`` when smaller is (losses, SAM).
        patience: validation runs without improvement before training stops.
        min_delta: smallest change that counts as an improvement.
    """

    monitor: str = "val/psnr"
    mode: Literal["min", "max"] = "max"
    patience: int = attrs.field(default=5, validator=at_least(1))
    min_delta: float = 0.0


@attrs.frozen
class CheckpointSpec:
    """Top-k checkpoints on a metric, plus ``last.ckpt``, plus optional periodic ones.

    Attributes:
        monitor: the validation metric ranking checkpoints.
        mode: ``max`` when a higher ``monitor`` is better, ``min`` when lower is.
        save_top_k: best checkpoints kept (``-1``: all, ``0``: none).
        save_last: write ``last.ckpt`` after every epoch (and with each periodic checkpoint): what
            ``gan-engine train --resume last`` continues from.
        every_n_steps: also write ``step<N>.ckpt`` every this many *generator* steps, all kept, and
            refresh ``last.ckpt`` with it (``null``: only at validation). Resuming from one continues
            mid-epoch, exactly: the loader serves the rest of that epoch's batches.
    """

    monitor: str = "val/psnr"
    mode: Literal["min", "max"] = "max"
    save_top_k: int = attrs.field(default=1, validator=at_least(-1))
    save_last: bool = True
    every_n_steps: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(at_least(1))
    )


@attrs.frozen
class ImageGridSpec:
    """PNG grids of validation samples: LR | bicubic | SR | HR.

    Attributes:
        enabled: write ``images/val_step<N>.png`` after each validation run.
        max_samples: rows (samples of the first validation batch) per grid.
    """

    enabled: bool = True
    max_samples: int = attrs.field(default=4, validator=at_least(1))


@attrs.frozen
class HistogramsSpec:
    """Weight and gradient histograms of both networks (drawn by the TensorBoard logger).

    Attributes:
        every_n_steps: generator steps between histograms.
    """

    every_n_steps: int = attrs.field(default=100, validator=at_least(1))


@attrs.frozen
class CallbacksSpec:
    """Callbacks attached to the Trainer.

    Attributes:
        lr_monitor: log both optimisers' learning rates.
        early_stopping: stop on a stalled metric (``null``: never).
        extra_validation: ``package.module:callable`` hooks called at the end of each validation with
            the Lightning module and the list of per-batch validation outputs.
        checkpoint: checkpointing policy.
        image_grid: validation image grids.
        histograms: weight and gradient histograms (``null``: none); other loggers than
            ``tensorboard`` skip them with a warning.
    """

    lr_monitor: bool = False
    early_stopping: EarlyStoppingSpec | None = None
    extra_validation: list[str] = attrs.field(factory=list)
    checkpoint: CheckpointSpec = attrs.field(factory=CheckpointSpec)
    image_grid: ImageGridSpec = attrs.field(factory=ImageGridSpec)
    histograms: HistogramsSpec | None = None


@attrs.frozen
class WandbSpec:
    """Weights & Biases settings (used when ``Logging.logger`` is ``wandb``).

    Attributes:
        project: the W&B project.
        offline: write the run under ``<run_dir>/wandb/`` only (``wandb sync`` uploads it later);
            ``false`` streams it to the W&B server (needs a login and network access).
    """

    project: str = "gan-engine"
    offline: bool = True


@attrs.frozen
class LoggingSpec:
    """Where a run writes and which logger records metrics.

    Attributes:
        logger: ``csv`` (no extra dependency; ``metrics.csv`` in the run directory, appended to on
            resume), ``tensorboard`` (``<run_dir>/tensorboard/``) or ``wandb`` (``<run_dir>/wandb/``);
            the last two need the extras of the same names.
        run_root: folder under which each run gets ``<name>/<timestamp>/``.
        name: the experiment name.
        wandb: Weights & Biases settings.
    """

    logger: Literal["csv", "tensorboard", "wandb"] = "csv"
    run_root: str = "runs"
    name: str = "gan-engine"
    wandb: WandbSpec = attrs.field(factory=WandbSpec)


@attrs.frozen
class MetricSpec:
    """One validation metric, reported over each validation run for the model and its baselines.

    Attributes:
        name: registered metric (``lpips``, ``dists``, ``fid``, ``kid``) or ``package.module:Class``.
        params: the metric's parameters.
        label: the name it is logged under, ``val/<label>`` and ``val/<label>_<baseline>``
            (``val/lpips_bicubic``); the metric's name when not given. Labels must be unique.
    """

    name: str
    params: Any = attrs.field(factory=dict)
    label: str | None = None
    entry: Entry[Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def key(self) -> str:
        """The logged name: ``label``, else ``name``."""
        return self.label if self.label is not None else self.name


@attrs.frozen
class ValidationSpec:
    """Opt-in validation metrics beyond the task's own (PSNR/SSIM/SAM for super-resolution).

    Attributes:
        metrics: perceptual and distribution metrics (LPIPS, DISTS, FID, KID) scoring the task's
            output and baselines against the target over the whole validation set; they need the
            weight files their parameters name (see the metrics guide).
    """

    metrics: list[MetricSpec] = attrs.field(factory=list)


@attrs.frozen
class Spec:
    """A whole run: every section validated, defaults filled in."""

    Data: DataSpec
    Generator: GeneratorSpec
    Losses: list[LossTermSpec]
    Task: TaskSpec = attrs.field(factory=TaskSpec)
    Discriminator: ComponentSpec | None = None
    Normalisation: NormalisationSpec = attrs.field(factory=NormalisationSpec)
    Training: TrainingConfig = attrs.field(factory=TrainingConfig)
    Callbacks: CallbacksSpec = attrs.field(factory=CallbacksSpec)
    Logging: LoggingSpec = attrs.field(factory=LoggingSpec)
    Trainer: dict[str, Any] = attrs.field(factory=dict)
    Validation: ValidationSpec = attrs.field(factory=ValidationSpec)
