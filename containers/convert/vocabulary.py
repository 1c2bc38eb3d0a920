"""Names from the architecture overview and opensr-srgan, with GAN-Engine's spelling of each.

One table feeds the guide ``docs/guides/coming-from-opensr.md`` (its table is generated from
:func:`render_table` and a test compares them) and the hint in "unknown generator" spec errors.
Every GAN-Engine spelling names something checkable: an importable object (``object``), a spec key
(``spec``) or a generator configuration (``generator``); tests check each one, so the table cannot
go stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs

Check: TypeAlias = Literal["object", "spec", "generator"]


@attrs.frozen
class Term:
    """A name a reader meets (``seen``) and GAN-Engine's (``ours``), checked as ``check`` says.

    ``target`` is what the check resolves: a dotted import path (``object``), a dotted spec key
    (``spec``) or ``name`` plus ``params`` of a generator (``generator``).
    """

    seen: str
    ours: str
    check: Check
    target: str
    params: Mapping[str, Any] = attrs.field(factory=dict)
    note: str = ""


TERMS: tuple[Term, ...] = (
    Term(
        "`gan_engine.model.SRGAN.SRGAN_model`",
        "`gan_engine.training.module.GANModule`",
        "object",
        "gan_engine.training.module.GANModule",
        note="receives its parts by injection; the CLI/containers build them",
    ),
    Term(
        "`gan_engine.model.generators`",
        "`gan_engine.generators`",
        "object",
        "gan_engine.generators",
    ),
    Term(
        "`gan_engine.model.discriminator`",
        "`gan_engine.discriminators`",
        "object",
        "gan_engine.discriminators",
    ),
    Term("`gan_engine.model.losses`", "`gan_engine.losses`", "object", "gan_engine.losses"),
    Term(
        "`gan_engine.model.registry.register_generator`",
        "`gan_engine.registry.register_generator`",
        "object",
        "gan_engine.registry.register_generator",
    ),
    Term(
        "`gan_engine.data.normalizers`",
        "`gan_engine.normalisers`",
        "object",
        "gan_engine.normalisers",
        note="British spelling; `Normalisation` section in specs",
    ),
    Term(
        "`gan_engine.utils.ema`",
        "`gan_engine.training.ema`",
        "object",
        "gan_engine.training.ema.GeneratorEMA",
        note="generator-only EMA; `Training.ema` in specs",
    ),
    Term(
        "`gan_engine.utils.schedulers`",
        "`gan_engine.training.lr_schedules`",
        "object",
        "gan_engine.training.lr_schedules.build_scheduler",
        note="`Training.generator_scheduler` / `discriminator_scheduler`",
    ),
    Term(
        "`gan_engine.utils.loggers`",
        "`Logging.logger`",
        "spec",
        "Logging.logger",
        note="`csv`, `tensorboard` or `wandb`; image grids: `Callbacks.image_grid`",
    ),
    Term(
        "`EMACallback`",
        "`gan_engine.training.callbacks.ema_swap.EMASwap`",
        "object",
        "gan_engine.training.callbacks.ema_swap.EMASwap",
        note="added when `Training.ema.enabled: true`",
    ),
    Term("`Callbacks.lr_monitor`", "`Callbacks.lr_monitor`", "spec", "Callbacks.lr_monitor"),
    Term(
        "`Callbacks.early_stopping`",
        "`Callbacks.early_stopping`",
        "spec",
        "Callbacks.early_stopping",
    ),
    Term(
        "`Callbacks.extra_validation`",
        "`Callbacks.extra_validation`",
        "spec",
        "Callbacks.extra_validation",
        note="`package.module:callable` hooks",
    ),
    Term(
        "`Training.precision: 16`",
        "`Training.precision: 16-mixed`",
        "spec",
        "Training.precision",
    ),
    Term(
        "`Training.precision: bf16`",
        "`Training.precision: bf16-mixed`",
        "spec",
        "Training.precision",
    ),
    Term(
        "`Trainer.gradient_clip_algorithm`",
        "`Training.gradient_clip.algorithm`",
        "spec",
        "Training.gradient_clip.algorithm",
        note="manual optimisation clips per network",
    ),
    Term(
        "`Trainer.gradient_clip_val`",
        "`Training.gradient_clip.generator` / `.discriminator`",
        "spec",
        "Training.gradient_clip.generator",
    ),
    Term(
        "`rcab` (generator)",
        "`Generator: {name: srresnet, params: {block: rcab}}`",
        "generator",
        "srresnet",
        {"block": "rcab"},
    ),
    Term(
        "`lka` (generator)",
        "`Generator: {name: srresnet, params: {block: lka}}`",
        "generator",
        "srresnet",
        {"block": "lka"},
        note="opensr-srgan's layout: `lka_conv_kernel_size: 3`, `lka_gate: sigmoid`",
    ),
    Term(
        "`rrdb` block",
        "`Generator: {name: srresnet, params: {block: rrdb}}`",
        "generator",
        "srresnet",
        {"block": "rrdb"},
        note="the whole ESRGAN network is `rrdbnet`",
    ),
    Term(
        "`esrgan` / `RRDBNet` (generator)",
        "`Generator: {name: rrdbnet}`",
        "generator",
        "rrdbnet",
    ),
    Term(
        "`SRResNet` / `standard` blocks",
        "`Generator: {name: srresnet, params: {block: res, norm: batch}}`",
        "generator",
        "srresnet",
        {"block": "res", "norm": "batch"},
    ),
    Term(
        "`stochastic_gan` / `cgan`",
        "`Generator: {name: stochastic_srresnet}`",
        "generator",
        "stochastic_srresnet",
        note="opensr-srgan's layout: `modulation: block`",
    ),
)
"""Every name the guide maps."""

GENERATOR_SPELLINGS: Mapping[str, str] = {
    "rcab": "name: srresnet with params: {block: rcab}",
    "lka": "name: srresnet with params: {block: lka}",
    "rrdb": "name: srresnet with params: {block: rrdb} (a body of RRDBs), or name: rrdbnet (ESRGAN)",
    "res": "name: srresnet with params: {block: res}",
    "esrgan": "name: rrdbnet",
    "stochastic": "name: stochastic_srresnet",
    "stochastic_gan": "name: stochastic_srresnet",
}
"""Generator names from the overview and opensr-srgan, with the GAN-Engine spelling to use."""


def generator_hint(name: str) -> str | None:
    """The GAN-Engine spelling of a seed generator name (case-insensitive), if it is one."""
    spelling = GENERATOR_SPELLINGS.get(name.strip().lower())
    return None if spelling is None else f"'{name}' is spelled {spelling} in GAN-Engine"


def render_table() -> str:
    """The guide's Markdown table (between its ``vocabulary`` markers)."""
    rows = ["| you read | GAN-Engine | notes |", "|---|---|---|"]
    rows += [f"| {term.seen} | {term.ours} | {term.note} |" for term in TERMS]
    return "\n".join(rows) + "\n"
