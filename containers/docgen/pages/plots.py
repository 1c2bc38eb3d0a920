"""Plots of the training schedules, computed by the code that applies them during training.

Each curve calls the library: the adversarial weight comes from :meth:`GANModule.adversarial_weight`
on a real module, loss weights from :meth:`WeightSchedule.factor`, learning rates from the
:class:`NetworkLR` scheduler stepping a real optimiser, EMA decays from :func:`ema_decay`. A change to
any of them changes the plots, and ``gan-engine docs --check`` notices.
"""

from __future__ import annotations

from typing import Any, Literal, cast

import torch
from torch import Tensor, nn

from containers.docgen.renderers.svg import Chart, Marker, Series, render
from gan_engine.protocols import AdversarialLoss, Discriminator, Generator, Loss, Normaliser
from gan_engine.training.config import EMAConfig, SchedulerConfig, TrainingConfig
from gan_engine.training.ema import ema_decay
from gan_engine.training.lr_schedules import NetworkLR
from gan_engine.training.module import GANModule
from gan_engine.training.schedules import WeightSchedule
from gan_engine.training.terms import AdversarialTerm, LossTerm


class _Stand(nn.Module):
    """A stand-in network, loss and normaliser: the schedules never call it."""

    spatial_dims = 2
    in_channels = out_channels = scale = 1
    name = "stand_in"

    def forward(self, x: Tensor, *_: Any) -> Tensor:
        return x


def _module(config: TrainingConfig, weight: float = 1.0) -> GANModule:
    stand = _Stand()
    return GANModule(
        generator=cast(Generator, stand),
        discriminator=cast(Discriminator, _Stand()),
        content_terms=[LossTerm("l1", cast(Loss, _Stand()), 1.0)],
        adversarial_term=AdversarialTerm("adversarial", cast(AdversarialLoss, _Stand()), weight),
        normaliser=cast(Normaliser, _Stand()),
        config=config,
        data_range=1.0,
    )


def adversarial_weight_chart(pretrain: int = 200, ramp: int = 300, steps: int = 800) -> Chart:
    """The adversarial term's weight (as a fraction of its full weight) over generator steps."""
    series = []
    shapes: tuple[tuple[Literal["linear", "cosine"], int, str], ...] = (
        ("linear", ramp, f"linear, ramp_steps={ramp}"),
        ("cosine", ramp, f"cosine, ramp_steps={ramp}"),
        ("linear", 0, "ramp_steps=0"),
    )
    for shape, length, label in shapes:
        config = TrainingConfig(
            pretrain_steps=pretrain, adversarial_ramp_steps=length, adversarial_ramp=shape
        )
        module = _module(config)
        points = []
        for step in range(steps + 1):
            module.generator_steps = step
            points.append((float(step), module.adversarial_weight()))
        series.append(Series(label, tuple(points), dashed=length == 0))
    return Chart(
        title=f"Adversarial weight: pretrain_steps={pretrain}, then the ramp",
        x_label="generator step",
        y_label="fraction of the full weight",
        series=tuple(series),
        x_range=(0.0, float(steps)),
        y_range=(0.0, 1.05),
        markers=(Marker(pretrain, "discriminator joins"), Marker(pretrain + ramp, "full weight")),
    )


def loss_schedule_chart(start: int = 100, length: int = 300, steps: int = 600) -> Chart:
    """``WeightSchedule.factor`` of the three shapes a loss term's ``schedule`` can take."""
    schedules = [
        WeightSchedule(shape="constant", start=start),
        WeightSchedule(shape="linear", start=start, length=length),
        WeightSchedule(shape="cosine", start=start, length=length),
    ]
    series = tuple(
        Series(
            f"{schedule.shape}" + (f", length={length}" if schedule.shape != "constant" else ""),
            tuple((float(step), schedule.factor(step)) for step in range(steps + 1)),
            dashed=schedule.shape == "constant",
        )
        for schedule in schedules
    )
    return Chart(
        title=f"Loss-term weight schedules (start={start})",
        x_label="generator step",
        y_label="fraction of the term's weight",
        series=series,
        x_range=(0.0, float(steps)),
        y_range=(0.0, 1.05),
        markers=(Marker(start, "start"), Marker(start + length, "start + length")),
    )


def _learning_rates(config: SchedulerConfig, lr: float, steps: int, every: int) -> list[float]:
    """The scheduler's rate after each optimiser step, with a stalled metric reported every ``every``."""
    weight = nn.Parameter(torch.zeros(1))
    optimiser = torch.optim.SGD([weight], lr=lr)
    scheduler = NetworkLR(optimiser, config)
    rates = [optimiser.param_groups[0]["lr"]]
    for step in range(1, steps + 1):
        optimiser.step()
        scheduler.step()
        if step % every == 0:
            scheduler.report(30.0 + min(step, 150) / 100.0)  # improves until step 150, then stalls
        rates.append(float(optimiser.param_groups[0]["lr"]))
    return rates


def lr_schedule_chart(lr: float = 1e-3, steps: int = 1000) -> Chart:
    """Learning rates of ``none``, ``cosine`` and ``plateau`` schedules after a 100-step warm-up."""
    warmup, every = 100, 50
    configs = [
        ("none", SchedulerConfig(name="none", warmup_steps=warmup)),
        (
            "cosine, total_steps=800",
            SchedulerConfig(name="cosine", warmup_steps=warmup, total_steps=800, min_lr=1e-4),
        ),
        (
            "plateau, patience=2",
            SchedulerConfig(name="plateau", warmup_steps=warmup, patience=2, min_lr=1e-4),
        ),
    ]
    series = tuple(
        Series(
            label,
            tuple(
                (float(s), rate / lr)
                for s, rate in enumerate(_learning_rates(config, lr, steps, every))
            ),
        )
        for label, config in configs
    )
    return Chart(
        title=f"Learning-rate schedules: warmup_steps={warmup}, min_lr=0.1·lr",
        x_label=f"optimiser step (plateau: validation every {every} steps, metric stalls after 150)",
        y_label="fraction of the optimiser's lr",
        series=series,
        x_range=(0.0, float(steps)),
        y_range=(0.0, 1.05),
        markers=(Marker(warmup, "end of warm-up"),),
    )


def ema_decay_chart(decay: float = 0.99, after: int = 100, steps: int = 1500) -> Chart:
    """The EMA decay applied after each generator step, with and without the warm-up."""
    series = tuple(
        Series(
            f"warmup: {'true' if warmup else 'false'}",
            tuple(
                (
                    float(step),
                    ema_decay(
                        step,
                        EMAConfig(
                            enabled=True, decay=decay, update_after_step=after, warmup=warmup
                        ),
                    ),
                )
                for step in range(1, steps + 1)
            ),
            dashed=not warmup,
        )
        for warmup in (True, False)
    )
    return Chart(
        title=f"EMA decay: decay={decay}, update_after_step={after}",
        x_label="generator step",
        y_label="decay d (0: copy the weights)",
        series=series,
        x_range=(0.0, float(steps)),
        y_range=(0.0, 1.05),
        markers=(Marker(after, "update_after_step"),),
    )


def schedule_plots() -> dict[str, str]:
    """Every plot as SVG text, by file name."""
    charts = {
        "adversarial_weight.svg": adversarial_weight_chart(),
        "loss_weight_schedules.svg": loss_schedule_chart(),
        "lr_schedules.svg": lr_schedule_chart(),
        "ema_decay.svg": ema_decay_chart(),
    }
    return {name: render(chart) for name, chart in charts.items()}
