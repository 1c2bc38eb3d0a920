"""Prediction from a checkpoint alone: rebuild the model from its resolved spec, then run files.

Of the checkpoint's spec only what rebuilds the model is validated again
(:func:`~containers.spec.loader.model_spec_from_dict`: data geometry, task, generator,
normalisation), so a checkpoint predicts on a machine without the training data, pretrained files
or hook modules. The generator and normaliser are built by the same builders as for training (never
from ``Generator.pretrained``: the checkpoint's own weights are loaded strictly, the EMA generator's
when the run kept one), and files go through Lightning's ``Trainer.predict`` so that
``--devices``/``--num-nodes``/``--strategy`` spread them over ranks, each writing its own share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import lightning.pytorch as pl
import torch
from tqdm import tqdm

from containers.builders import build_generator, build_normaliser, build_task
from containers.spec.loader import model_spec_from_dict
from containers.spec.model import ModelSpec
from gan_engine.data.holes.files import pair_hole_files
from gan_engine.errors import DataError
from gan_engine.hardware.choice import resolve
from gan_engine.hardware.facts import detect_facts, device_type_for
from gan_engine.inference.checkpoint import CheckpointContents, read_checkpoint
from gan_engine.inference.distributed import FileJob, FilePredictionModule
from gan_engine.inference.errors import InputError, OutputError
from gan_engine.inference.predictor import PredictionReport, PredictOptions, Predictor, Progress
from gan_engine.io.atomic import check_target
from gan_engine.io.formats import format_suffix, is_supported
from gan_engine.protocols import Generator, Normaliser, Task
from gan_engine.weights import load_strict


@attrs.frozen(kw_only=True)
class LoadedModel:
    """A checkpoint's model, rebuilt: model spec, task, generator (EMA weights if any), normaliser."""

    spec: ModelSpec
    task: Task
    generator: Generator
    normaliser: Normaliser
    contents: CheckpointContents


def load_model(checkpoint: str | Path) -> LoadedModel:
    """Rebuild the task, generator and normaliser of ``checkpoint`` from its resolved spec.

    Checkpoints written before tasks existed have no ``Task`` section: they are super-resolution.

    Raises:
        CheckpointError: not a GAN-Engine checkpoint.
        SpecError: its model no longer validates (e.g. a generator that is not installed).
        GanEngineError: weights that do not fit the rebuilt networks.
    """
    contents = read_checkpoint(checkpoint)
    spec = model_spec_from_dict(contents.spec, source=f"{contents.path} (resolved spec)")
    generator = build_generator(spec)
    normaliser = build_normaliser(spec)
    for part, state in (
        (generator, contents.generator_state),
        (normaliser, contents.normaliser_state),
    ):
        if not isinstance(part, torch.nn.Module):
            msg = f"{type(part).__qualname__} is not a torch.nn.Module"
            raise TypeError(msg)
        load_strict(part, state, contents.path)
    return LoadedModel(
        spec=spec,
        task=build_task(spec),
        generator=generator,
        normaliser=normaliser,
        contents=contents,
    )


def load_predictor(
    checkpoint: str | Path,
    options: PredictOptions | None = None,
    *,
    device: str | torch.device = "cpu",
    budget_device: str | torch.device | None = None,
) -> Predictor:
    """A :class:`~gan_engine.inference.Predictor` built from ``checkpoint`` alone.

    Models of hole-filling tasks (inpainting, gap-filling) read a hole mask with every tile.
    ``budget_device``: the device whose free memory sets the default tile's budget (default:
    ``device``).
    """
    model = load_model(checkpoint)
    fills_holes = "mask" in model.task.generator_needs
    return Predictor(
        model.generator,
        model.normaliser,
        options=options,
        device=device,
        fills_holes=fills_holes,
        budget_device=budget_device,
    )


def expand_inputs(inputs: Sequence[Path]) -> list[Path]:
    """Files as given; folders replaced by their supported files (not recursive), sorted by name."""
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found = sorted(
                child for child in path.iterdir() if child.is_file() and is_supported(child)
            )
            if not found:
                msg = f"input folder {path} holds no supported files"
                raise InputError(msg)
            files += found
        else:
            files.append(path)
    if not files:
        msg = "no inputs given"
        raise InputError(msg)
    return files


def plan_jobs(
    inputs: Sequence[Path],
    out_dir: Path,
    *,
    suffix: str = "",
    overwrite: bool = False,
    mask: Path | None = None,
) -> list[FileJob]:
    """One job per input: ``out_dir / (stem + suffix + format suffix)``, checked before any work.

    ``mask`` is the hole mask of a single input (a file), or a folder holding one mask per input
    paired by file stem; ``None`` fills the inputs' nodata.

    Raises:
        InputError: a missing input or folder without inputs, a mask file for several inputs, or
            a mask folder without a mask for some input (all listed).
        OutputError: two inputs with one output name, an output that is an input, or an existing
            output without ``overwrite``.
    """
    files = expand_inputs(inputs)
    jobs = []
    for file in files:
        if not file.is_file():
            msg = (
                f"input {file} does not exist"
                if not file.exists()
                else f"input {file} is not a file"
            )
            raise InputError(msg)
        ending = format_suffix(file)
        stem = file.name[: len(file.name) - len(ending)] if ending else file.name
        jobs.append(
            FileJob(source=file, target=out_dir / f"{stem}{suffix}{file.name[len(stem) :]}")
        )
    by_target: dict[Path, Path] = {}
    for job in jobs:
        earlier = by_target.setdefault(job.target.resolve(), job.source)
        if earlier != job.source:
            msg = f"inputs {earlier} and {job.source} would both be written to {job.target}"
            raise OutputError(msg)
        check_target(job.target, files, overwrite=overwrite)
    if mask is None:
        return jobs
    if mask.is_dir():
        try:
            paired = pair_hole_files([job.source for job in jobs], mask)
        except DataError as error:
            raise InputError(str(error)) from error
        return [attrs.evolve(job, mask=paired[job.source]) for job in jobs]
    if len(jobs) != 1:
        msg = (
            f"mask {mask} is one file for {len(jobs)} inputs; give a folder of masks paired by stem"
        )
        raise InputError(msg)
    return [attrs.evolve(jobs[0], mask=mask)]


@attrs.frozen(kw_only=True)
class DeviceOptions:
    """Where predictions run: Lightning's ``accelerator``, ``devices``, ``num_nodes``, ``strategy``."""

    accelerator: str = "auto"
    devices: int | str = 1
    num_nodes: int = 1
    strategy: str = "auto"


def predict_files(
    checkpoint: str | Path,
    inputs: Sequence[Path],
    out_dir: Path,
    *,
    options: PredictOptions | None = None,
    devices: DeviceOptions | None = None,
    suffix: str = "",
    overwrite: bool = False,
    progress: bool = True,
    mask: Path | None = None,
    announce: Callable[[str], None] | None = None,
) -> list[PredictionReport]:
    """Super-resolve (or fill) every input into ``out_dir`` across the configured devices.

    ``mask``: see :func:`plan_jobs`. ``auto`` precision and layout in ``options`` are resolved for
    the device ``devices.accelerator`` names; ``announce`` receives the line saying what was chosen
    and why.

    Returns the reports of the files this process (rank) wrote.
    """
    jobs = plan_jobs(inputs, out_dir, suffix=suffix, overwrite=overwrite, mask=mask)
    devices = devices or DeviceOptions()
    options = options or PredictOptions()
    device_type = device_type_for(devices.accelerator)
    facts = detect_facts(device_type)
    choice = resolve(facts, options.precision, options.channels_last, purpose="inference")
    if announce is not None:
        announce(f"Hardware: {choice.reason}")
    options = attrs.evolve(options, precision=choice.precision, channels_last=choice.channels_last)
    predictor = load_predictor(checkpoint, options, budget_device=device_type)
    if announce is not None and predictor.tile_choice is not None:
        announce(f"Tile: {predictor.tile_choice.reason}")
    trainer = pl.Trainer(
        accelerator=devices.accelerator,
        devices=devices.devices,
        num_nodes=devices.num_nodes,
        strategy=devices.strategy,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        use_distributed_sampler=False,
        default_root_dir=out_dir,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    module = FilePredictionModule(
        predictor,
        jobs,
        overwrite=overwrite,
        progress=_progress_bar if progress else None,
    )
    reports = trainer.predict(module, return_predictions=True) or []
    return [report for report in reports if isinstance(report, PredictionReport)]


def _progress_bar(name: str, total: int) -> Progress:
    bar: Progress = tqdm(total=total, desc=name, unit="tile")
    return bar
