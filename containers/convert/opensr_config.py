"""An opensr-srgan 0.5 config (a YAML mapping) → a GAN-Engine spec (plain data) and notes.

Every key of the source is either carried over or named in the notes with the reason; a mapping
that is not an opensr-srgan config is refused. The generator, normalisation and training mappings
live in their own modules; this one walks the top-level sections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from containers.convert.notes import ConversionError, Notes
from containers.convert.opensr_generators import GeneratorMapping, map_generator
from containers.convert.opensr_normalisation import map_normalisation
from containers.convert.opensr_training import (
    map_losses,
    map_optimisers,
    map_schedulers,
    map_trainer,
    map_training,
)
from containers.convert.sections import Section

SECTIONS = (
    "Data",
    "Model",
    "Generator",
    "Discriminator",
    "Training",
    "Optimizers",
    "Schedulers",
    "Logging",
)
"""Top-level sections of an opensr-srgan config."""

_GAN_ENGINE_ONLY = ("Normalisation", "Losses", "Callbacks", "Trainer")

_DISCRIMINATORS = {"standard": "srgan", "patchgan": "patchgan", "esrgan": "esrgan"}


@attrs.frozen(kw_only=True)
class ConvertedConfig:
    """The GAN-Engine spec (plain data), the generator mapping, and the notes."""

    spec: dict[str, Any]
    generator: GeneratorMapping
    notes: Notes


def check_opensr(config: object, source: str) -> Mapping[str, Any]:
    """``config`` if it looks like an opensr-srgan config, else a clear :class:`ConversionError`."""
    if not isinstance(config, Mapping):
        kind = type(config).__name__
        msg = f"{source}: not an opensr-srgan config: expected a mapping of sections, got {kind}"
        raise ConversionError(msg)
    engine = [key for key in _GAN_ENGINE_ONLY if key in config]
    if engine:
        msg = (
            f"{source}: not an opensr-srgan config: it has GAN-Engine sections ({', '.join(engine)}); "
            "run `gan-engine check` on it instead"
        )
        raise ConversionError(msg)
    model = config.get("Model")
    if not isinstance(model, Mapping) or "in_bands" not in model or "Generator" not in config:
        found = ", ".join(map(str, config)) or "nothing"
        msg = (
            f"{source}: not an opensr-srgan config: expected sections {', '.join(SECTIONS)} with "
            f"Model.in_bands and Generator; found {found}"
        )
        raise ConversionError(msg)
    return config


def convert_config(config: object, source: str = "<config>") -> ConvertedConfig:
    """Convert an opensr-srgan config mapping to a GAN-Engine spec.

    Raises:
        ConversionError: not an opensr-srgan config, or a value GAN-Engine cannot reproduce.
    """
    root = check_opensr(config, source)
    notes = Notes()
    model = Section("Model", root.get("Model"))
    bands = model.integer("in_bands", 3)
    if model.flag("load_checkpoint", False):
        notes.ignored(
            "Model.load_checkpoint",
            "convert that checkpoint too (`gan-engine convert opensr CONFIG CKPT`) and set "
            "Generator.pretrained to the converted model.ckpt",
        )
    if model.flag("continue_training", False):
        notes.ignored(
            "Model.continue_training",
            "opensr-srgan optimiser and scheduler states do not carry over; start from the "
            "converted weights with Generator.pretrained",
        )
    model.leftovers(notes, {})

    generator = map_generator(root.get("Generator") or {}, bands, notes)
    data = Section("Data", root.get("Data"))
    normalisation = map_normalisation(data.raw("normalization"), notes)
    spec: dict[str, Any] = {
        "Data": _data(data, bands, generator.scale, notes),
        "Normalisation": normalisation.section,
        "Generator": {"name": generator.name, "params": generator.params},
    }
    training = Section("Training", root.get("Training"))
    losses = training.sub("Losses")
    spec["Trainer"] = map_trainer(training, notes)
    training_out = map_training(training, losses, notes)
    spec["Losses"] = map_losses(training, losses, normalisation.value_range, notes)
    map_optimisers(Section("Optimizers", root.get("Optimizers")), training_out, notes)
    map_schedulers(Section("Schedulers", root.get("Schedulers")), training_out, notes)
    spec["Training"] = training_out
    forever = training.integer("g_pretrain_steps", 0) < 0 and training.flag(
        "pretrain_g_only", False
    )
    spec["Discriminator"] = None if forever else _discriminator(root.get("Discriminator"), notes)
    if forever:
        spec["Losses"] = [
            term for term in spec["Losses"] if term["name"] not in ("bce", "hinge", "relativistic")
        ]
    losses.leftovers(
        notes,
        {
            "max_val": "validation metrics are computed on denormalised outputs over the data range",
            "ssim_win": "GAN-Engine's validation SSIM uses its own 11-pixel Gaussian window",
        },
    )
    training.leftovers(notes, {"find_unused_parameters": "only used with several GPUs"})
    spec["Logging"], spec["Callbacks"] = _logging(Section("Logging", root.get("Logging")), notes)
    order = ("Data", "Normalisation", "Generator", "Discriminator", "Losses", "Training")
    spec = {key: spec[key] for key in (*order, "Callbacks", "Logging", "Trainer")}
    if "TruncatedVGG" in root:
        notes.ignored("TruncatedVGG", "GAN-Engine's vgg loss chooses layers with params.layers")
    for key in root:
        if key not in (*SECTIONS, "TruncatedVGG"):
            notes.ignored(str(key), "not a section opensr-srgan 0.5 reads")
    return ConvertedConfig(spec=spec, generator=generator, notes=notes)


def _data(data: Section, bands: int, scale: int, notes: Notes) -> dict[str, Any]:
    out: dict[str, Any] = {"dimensions": "2d", "channels": bands, "scale": scale}
    out["batch_size"] = data.integer("train_batch_size", data.integer("batch_size", 8))
    out["val_batch_size"] = data.integer("val_batch_size", out["batch_size"])
    if data.has("num_workers"):
        out["num_workers"] = data.integer("num_workers", 0)
    dataset = data.raw("dataset_type", "ExampleDataset")
    root = data.raw("root_dir") or data.raw("dataset_root")
    if root is not None:
        out["dataset"] = "raster_folder"
        out["params"] = {"lr_root": f"{root}/LR", "hr_root": f"{root}/HR"}
        notes.approximated(
            "Data.root_dir",
            f"read as LR/HR pairs under {root}/LR and {root}/HR (matched by file name); adjust "
            "Data.params if the folder is laid out otherwise",
        )
    elif bands == 4:
        out["dataset"] = "sample_multispectral"
        notes.replaced(
            "Data.dataset_type",
            f"{dataset!r} has no GAN-Engine reader; the built-in 4-band sample_multispectral "
            "scenes stand in so the spec runs: point Data at your rasters (dataset: sentinel2 "
            "with root:, or lr_root:/hr_root: for pairs)",
        )
    else:
        out["dataset"] = "sentinel2"
        out["params"] = {"root": "data/sentinel2"}
        notes.replaced(
            "Data.dataset_type",
            f"{dataset!r} has no GAN-Engine reader; the spec reads {bands}-band GeoTIFFs from "
            "data/sentinel2: set Data.params.root to your folder",
        )
    data.leftovers(
        notes,
        {
            "prefetch_factor": "GAN-Engine's loader sets its own prefetching",
            "sen2naip_taco_file": "SEN2NAIP .taco files have no GAN-Engine reader",
        },
    )
    return out


def _discriminator(raw: object, notes: Notes) -> dict[str, Any]:
    section = Section("Discriminator", raw)
    kind = section.text("model_type", "standard")
    name = _DISCRIMINATORS.get(kind)
    if name is None:
        msg = (
            f"Discriminator.model_type: unknown opensr-srgan discriminator {kind!r}; expected one "
            f"of {sorted(_DISCRIMINATORS)}"
        )
        raise ConversionError(msg)
    params: dict[str, Any] = {}
    if name == "srgan":
        params["n_blocks"] = section.integer("n_blocks", 8)
        params["norm"] = "batch"
        if section.flag("use_spectral_norm", True):
            notes.approximated(
                "Discriminator.use_spectral_norm",
                "GAN-Engine's srgan discriminator has no spectral norm; batch norm is used",
            )
    elif name == "patchgan":
        params["n_layers"] = section.integer("n_blocks", 3)
        params["norm"] = "instance"
    else:
        params["base_channels"] = section.integer("base_channels", 64)
        if section.has("linear_size"):
            params["head_channels"] = section.integer("linear_size", 1024)
    notes.approximated(
        f"Discriminator ({kind})",
        f"GAN-Engine's {name!r} discriminator is built fresh: discriminator weights are not converted",
    )
    ignored = "opensr-srgan ignores it for this discriminator"
    section.leftovers(
        notes,
        dict.fromkeys(("n_blocks", "use_spectral_norm", "base_channels", "linear_size"), ignored),
    )
    return {"name": name, "params": params}


def _logging(section: Section, notes: Notes) -> tuple[dict[str, Any], dict[str, Any]]:
    wandb = section.sub("wandb")
    logging: dict[str, Any] = {"logger": "wandb" if wandb.flag("enabled", False) else "csv"}
    if wandb.has("project"):
        logging["name"] = str(wandb.raw("project"))
        logging["wandb"] = {"project": str(wandb.raw("project")), "offline": True}
    if section.has("output_dir"):
        logging["run_root"] = str(section.raw("output_dir"))
    wandb.leftovers(
        notes, {"entity": "set WANDB_ENTITY; GAN-Engine's wandb logger reads the environment"}
    )
    callbacks: dict[str, Any] = {
        "checkpoint": {"monitor": "val/psnr", "mode": "max"},
        "image_grid": {
            "enabled": True,
            "max_samples": max(1, section.integer("num_val_images", 4)),
        },
    }
    section.leftovers(notes, {})
    return logging, callbacks
