"""opensr-srgan's ``Training``, ``Losses``, ``Optimizers`` and ``Schedulers`` → GAN-Engine sections."""

from __future__ import annotations

from typing import Any

from containers.convert.notes import Notes
from containers.convert.sections import Section

METRICS = {
    "val_metrics/l1": ("val/psnr", "max"),
    "val_metrics/psnr": ("val/psnr", "max"),
    "val_metrics/ssim": ("val/ssim", "max"),
}
"""opensr-srgan validation metrics → GAN-Engine's nearest (metric, mode)."""

PRECISIONS = {
    "16": "16-mixed",
    "16-mixed": "16-mixed",
    "bf16": "bf16-mixed",
    "bf16-mixed": "bf16-mixed",
    "32": "32",
    "32-true": "32",
}
"""``Training.precision`` spellings (Lightning 1.x style included) → GAN-Engine's."""


def map_trainer(training: Section, notes: Notes) -> dict[str, Any]:
    """``Training.device/gpus/max_epochs/...`` → the pass-through ``Trainer`` section."""
    trainer: dict[str, Any] = {}
    device = training.text("device", "auto")
    trainer["accelerator"] = {"cuda": "gpu", "gpu": "gpu", "cpu": "cpu"}.get(device, "auto")
    gpus = training.raw("gpus")
    if trainer["accelerator"] == "gpu" and isinstance(gpus, list) and gpus:
        trainer["devices"] = [int(gpu) for gpu in gpus]
        if len(gpus) > 1:
            find_unused = training.flag("find_unused_parameters", True)
            trainer["strategy"] = "ddp_find_unused_parameters_true" if find_unused else "ddp"
    elif gpus is not None and trainer["accelerator"] != "gpu":
        notes.ignored(training.key("gpus"), "opensr-srgan uses one device off the GPU")
    for key in ("max_epochs", "limit_val_batches", "val_check_interval"):
        if training.has(key):
            # Lightning reads an int as a count and a float as a fraction of an epoch: keep the type
            value = training.raw(key)
            trainer[key] = value if isinstance(value, int) else training.number(key, 0.0)
    return trainer


def map_training(training: Section, losses: Section, notes: Notes) -> dict[str, Any]:
    """GAN schedule, EMA and seed → ``Training`` (optimisers are added by :func:`map_optimisers`)."""
    out: dict[str, Any] = {}
    if training.has("precision"):
        # not read by opensr-srgan 0.5; configs following the architecture overview set it
        precision = training.text("precision", "32")
        mapped = PRECISIONS.get(precision.removesuffix(".0"))
        if mapped is None:
            notes.ignored(training.key("precision"), f"{precision!r}: expected 16, bf16 or 32")
        else:
            out["precision"] = mapped
    if training.has("seed"):
        out["seed"] = training.integer("seed", 0)
    pretrain = training.flag("pretrain_g_only", False)
    steps = training.integer("g_pretrain_steps", 0)
    out["pretrain_steps"] = max(steps, 0) if pretrain else 0
    if pretrain and steps < 0:
        notes.replaced(
            training.key("g_pretrain_steps"),
            "-1 (pretrain for ever): the spec has no discriminator instead (Discriminator: null)",
        )
    out["adversarial_ramp_steps"] = training.integer("adv_loss_ramp_steps", 20000)
    schedule = losses.text("adv_loss_schedule", "cosine")
    out["adversarial_ramp"] = schedule if schedule in ("linear", "cosine") else "linear"
    gamma = losses.number("r1_gamma", 0.0)
    if gamma > 0:
        out["r1_gamma"] = gamma
    ema = training.sub("EMA")
    if not ema.flag("enabled", False):
        ema.read.update(ema.data)  # settings of a disabled EMA: nothing to carry over
    else:
        out["ema"] = {
            "enabled": True,
            "decay": ema.number("decay", 0.999),
            "update_after_step": ema.integer("update_after_step", 0),
            "warmup": ema.flag("use_num_updates", True),
        }
    ema.leftovers(notes, {"device": "GAN-Engine keeps the average on the training device"})
    return out


def map_losses(
    training: Section, losses: Section, value_range: tuple[float, float], notes: Notes
) -> list[dict[str, Any]]:
    """``Training.Losses`` (legacy ``Training.perceptual_loss_weight`` too) → the ``Losses`` list."""
    terms: list[dict[str, Any]] = []
    for key, name in (("l1_weight", "l1"), ("sam_weight", "sam"), ("tv_weight", "tv")):
        weight = losses.number(key, {"l1_weight": 1.0, "sam_weight": 0.05}.get(key, 0.0))
        if weight > 0:
            terms.append({"name": name, "weight": weight})
    legacy = training.number("perceptual_loss_weight", 0.1)
    perceptual = losses.number("perceptual_weight", legacy)
    metric = losses.text("perceptual_metric", "vgg")
    if perceptual > 0:
        params: dict[str, Any] = {"value_range": list(value_range)}
        fixed = losses.raw("fixed_idx")
        if fixed is not None:
            params["channels"] = [int(index) for index in fixed]
        elif losses.flag("randomize_bands", False):
            params["random_channels"] = True
        terms.append(
            {
                "name": "lpips" if metric == "lpips" else "vgg",
                "weight": perceptual,
                "params": params,
            }
        )
        if metric == "vgg":
            notes.approximated(
                losses.key("perceptual_weight"),
                "GAN-Engine's vgg loss compares its default VGG19 layers, not opensr-srgan's "
                "TruncatedVGG19(i, j) output alone",
            )
    beta = losses.number("adv_loss_beta", 0.001)
    kind = losses.text("adv_loss_type", "bce")
    relativistic = losses.flag("relativistic_average_d", False)
    smoothing = 0.1 if training.flag("label_smoothing", False) else 0.0
    if kind == "wasserstein":
        notes.replaced(
            losses.key("adv_loss_type"),
            "'wasserstein': GAN-Engine has no WGAN loss; 'hinge' (also unbounded logits) stands in",
        )
        terms.append({"name": "hinge", "weight": beta})
    elif relativistic:
        terms.append({"name": "relativistic", "weight": beta})
        if smoothing:
            notes.ignored(
                training.key("label_smoothing"), "the relativistic loss has no label smoothing"
            )
    else:
        terms.append({"name": "bce", "weight": beta, "params": {"label_smoothing": smoothing}})
    return terms


def map_optimisers(optimisers: Section, training_out: dict[str, Any], notes: Notes) -> None:
    """``Optimizers`` → ``Training.generator_optimizer``/``discriminator_optimizer``/``gradient_clip``."""
    lr_g = optimisers.number("optim_g_lr", 1e-4)
    lr_d = optimisers.number("optim_d_lr", max(lr_g * 0.5, 1e-6))
    betas = [float(beta) for beta in optimisers.raw("betas", [0.0, 0.99])]
    for network, lr, decay in (
        ("generator", lr_g, optimisers.number("weight_decay_g", 0.0)),
        ("discriminator", lr_d, optimisers.number("weight_decay_d", 0.0)),
    ):
        training_out[f"{network}_optimizer"] = {
            "name": "adam",
            "lr": lr,
            "betas": list(betas),
            "weight_decay": decay,
        }
    if optimisers.has("eps") and optimisers.number("eps", 1e-8) != 1e-8:
        notes.approximated(optimisers.key("eps"), "GAN-Engine's Adam uses eps 1e-8")
    clip = optimisers.number("gradient_clip_val", 0.0)
    if clip > 0:
        training_out["gradient_clip"] = {
            "algorithm": "norm",
            "generator": clip,
            "discriminator": clip,
        }


def map_schedulers(schedulers: Section, training_out: dict[str, Any], notes: Notes) -> None:
    """``Schedulers`` → plateau schedules with the generator's warm-up."""
    for network, suffix in (("generator", "g"), ("discriminator", "d")):
        legacy = schedulers.raw("metric")
        metric = str(schedulers.raw(f"metric_{suffix}", legacy or f"val_{suffix}_loss"))
        monitor, mode = METRICS.get(metric, ("val/psnr", "max"))
        if metric not in METRICS:
            notes.replaced(
                schedulers.key(f"metric_{suffix}"),
                f"{metric!r} is not logged by GAN-Engine; the {network} plateau watches val/psnr",
            )
        schedule: dict[str, Any] = {
            "name": "plateau",
            "monitor": monitor,
            "mode": mode,
            "factor": schedulers.number(f"factor_{suffix}", schedulers.number("factor", 0.5)),
            "patience": schedulers.integer(f"patience_{suffix}", schedulers.integer("patience", 5)),
            "threshold": schedulers.number("threshold", 1e-3),
            "min_lr": schedulers.number("min_lr", 1e-7),
        }
        if network == "generator":
            warmup = schedulers.integer("g_warmup_steps", 0)
            shape = schedulers.text("g_warmup_type", "none")
            if warmup > 0 and shape not in ("none", "linear"):
                notes.approximated(
                    schedulers.key("g_warmup_type"),
                    f"{shape!r} warm-up: GAN-Engine's warm-up is linear over the same steps",
                )
            if shape != "none":
                schedule["warmup_steps"] = warmup
        training_out[f"{network}_scheduler"] = schedule
    if schedulers.has("cooldown"):
        schedulers.raw("cooldown")
        notes.ignored(schedulers.key("cooldown"), "GAN-Engine's plateau schedule has no cooldown")
    metric_note = "the plateau metric is mapped per network"
    schedulers.leftovers(notes, {"metric": metric_note})
