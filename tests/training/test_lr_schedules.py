from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from gan_engine.errors import GanEngineError, InvalidParamError
from gan_engine.training.config import OptimiserConfig, SchedulerConfig, TrainingConfig
from gan_engine.training.lr_schedules import NetworkLR, scheduled_lr, warmup_factor

BASE = 1e-3


def _optimiser(lr: float = BASE) -> torch.optim.Optimizer:
    return torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=lr)


@given(warmup=st.integers(0, 200), steps=st.lists(st.integers(-3, 400), min_size=2))
def test_warmup_is_monotone_bounded_and_full_after_warmup(warmup: int, steps: list[int]) -> None:
    values = [warmup_factor(step, warmup) for step in sorted(steps)]
    assert all(0.0 < v <= 1.0 for v in values)
    assert all(a <= b for a, b in itertools.pairwise(values))
    assert warmup_factor(max(warmup - 1, 0), warmup) == 1.0


def test_warmup_boundaries() -> None:
    assert warmup_factor(0, 4) == 0.25  # the first step is not wasted at lr 0
    assert warmup_factor(3, 4) == 1.0
    assert warmup_factor(0, 0) == 1.0


@given(
    warmup=st.integers(0, 50),
    length=st.integers(1, 200),
    min_fraction=st.floats(0.0, 1.0),
)
def test_cosine_decays_monotonically_from_lr_to_min_lr(
    warmup: int, length: int, min_fraction: float
) -> None:
    config = SchedulerConfig(
        name="cosine", warmup_steps=warmup, total_steps=warmup + length, min_lr=BASE * min_fraction
    )
    after = [scheduled_lr(step, BASE, config) for step in range(warmup, warmup + length + 5)]
    assert all(config.min_lr - 1e-15 <= v <= BASE + 1e-15 for v in after)
    assert all(a >= b - 1e-15 for a, b in itertools.pairwise(after))
    if warmup > 0:
        assert math.isclose(scheduled_lr(warmup - 1, BASE, config), BASE)
    assert math.isclose(scheduled_lr(warmup, BASE, config), BASE)
    assert math.isclose(scheduled_lr(warmup + length, BASE, config), config.min_lr, abs_tol=1e-15)
    assert math.isclose(
        scheduled_lr(warmup + length + 100, BASE, config), config.min_lr, abs_tol=1e-15
    )


def test_the_scheduler_sets_the_scheduled_rate_step_by_step() -> None:
    config = SchedulerConfig(name="cosine", warmup_steps=3, total_steps=10, min_lr=1e-5)
    optimiser = _optimiser()
    scheduler = NetworkLR(optimiser, config)
    seen = []
    for _ in range(12):
        seen.append(optimiser.param_groups[0]["lr"])
        optimiser.step()
        scheduler.step()
    assert seen == pytest.approx([scheduled_lr(step, BASE, config) for step in range(12)])
    assert seen[0] == pytest.approx(BASE / 3)


def _plateau(**options: object) -> tuple[torch.optim.Optimizer, NetworkLR]:
    defaults: dict[str, object] = {"name": "plateau", "patience": 1, "factor": 0.5}
    optimiser = _optimiser()
    return optimiser, NetworkLR(optimiser, SchedulerConfig(**(defaults | options)))  # type: ignore[arg-type]


def test_plateau_reduces_after_patience_runs_without_improvement() -> None:
    optimiser, scheduler = _plateau()
    reductions = [scheduler.report(value) for value in (30.0, 31.0, 30.5, 30.9, 30.8, 32.0, 31.0)]
    # best 31.0; 30.5 bad (1 ≤ patience), 30.9 bad (2 > 1) → reduce; 30.8 bad (1); 32 best; 31 bad (1)
    assert reductions == [False, False, False, True, False, False, False]
    assert optimiser.param_groups[0]["lr"] == pytest.approx(BASE / 2)
    assert scheduler.get_last_lr() == pytest.approx([BASE / 2])
    optimiser.step()
    scheduler.step()  # stepping keeps the reduction
    assert optimiser.param_groups[0]["lr"] == pytest.approx(BASE / 2)


def test_plateau_in_min_mode_stops_at_min_lr_and_counts_nan_as_bad() -> None:
    optimiser, scheduler = _plateau(mode="min", patience=0, factor=0.1, min_lr=2e-5)
    for value in (1.0, math.nan, 2.0, 3.0, 4.0):
        scheduler.report(value)
    assert optimiser.param_groups[0]["lr"] == pytest.approx(2e-5)


def test_plateau_ignores_validation_during_warmup() -> None:
    optimiser, scheduler = _plateau(patience=0, warmup_steps=5)
    assert not scheduler.report(1.0)
    assert not scheduler.report(0.0)
    assert scheduler.best is None
    assert optimiser.param_groups[0]["lr"] == pytest.approx(BASE / 5)


def test_other_schedules_ignore_reports() -> None:
    optimiser = _optimiser()
    scheduler = NetworkLR(optimiser, SchedulerConfig())
    assert not any(scheduler.report(v) for v in (3.0, 2.0, 1.0, 0.0))
    assert optimiser.param_groups[0]["lr"] == BASE


def test_scheduler_state_is_plain_and_round_trips(tmp_path: Path) -> None:
    optimiser, scheduler = _plateau(warmup_steps=2)
    for _ in range(3):
        optimiser.step()
        scheduler.step()
    for value in (5.0, 4.0, 3.0):
        scheduler.report(value)
    path = tmp_path / "s.pt"
    torch.save(scheduler.state_dict(), path)
    state = torch.load(path, weights_only=True)
    _, fresh = _plateau(warmup_steps=2)
    fresh.load_state_dict(state)
    assert (fresh.last_epoch, fresh.best, fresh.bad_runs, fresh.plateau_scale) == (
        scheduler.last_epoch,
        scheduler.best,
        scheduler.bad_runs,
        scheduler.plateau_scale,
    )


def test_schedule_settings_are_validated() -> None:
    with pytest.raises(
        InvalidParamError, match="total_steps: the cosine schedule needs total_steps"
    ):
        SchedulerConfig(name="cosine")
    with pytest.raises(
        InvalidParamError, match=r"total_steps: must be > warmup_steps \(10\), got 10"
    ):
        SchedulerConfig(name="cosine", warmup_steps=10, total_steps=10)
    with pytest.raises(InvalidParamError, match="factor: must be in"):
        SchedulerConfig(name="plateau", factor=1.0)
    with pytest.raises(InvalidParamError, match=r"generator_scheduler\.min_lr: must be <= "):
        TrainingConfig(
            generator_optimizer=OptimiserConfig(lr=1e-4),
            generator_scheduler=SchedulerConfig(name="cosine", total_steps=10, min_lr=1e-3),
        )


def _lr(module, index: int) -> float:  # type: ignore[no-untyped-def]
    optimisers = module.optimizers()
    if not isinstance(optimisers, list):
        optimisers = [optimisers]
    return float(optimisers[index].param_groups[0]["lr"])


def test_each_network_follows_its_schedule_in_its_own_steps(make_module, loaders, fit) -> None:
    g = SchedulerConfig(name="cosine", warmup_steps=2, total_steps=6, min_lr=1e-6)
    d = SchedulerConfig(warmup_steps=4)
    module = make_module(
        generator_scheduler=g,
        discriminator_scheduler=d,
        d_update_interval=2,
        generator_optimizer=OptimiserConfig(lr=1e-3),
        discriminator_optimizer=OptimiserConfig(lr=2e-3),
    )
    fit(module, loaders, batches=4)
    assert (module.generator_steps, module.discriminator_steps) == (4, 2)
    assert _lr(module, 0) == pytest.approx(scheduled_lr(4, 1e-3, g))
    assert _lr(module, 1) == pytest.approx(2e-3 * warmup_factor(2, 4))


def test_plateau_is_stepped_by_validation_results(make_module, loaders, fit) -> None:
    # val/generator_steps rises every validation: in "min" mode it never improves after the first.
    plateau = SchedulerConfig(
        name="plateau", monitor="val/generator_steps", mode="min", patience=0, factor=0.5
    )
    module = make_module(adversarial=False, generator_scheduler=plateau)
    fit(module, loaders, batches=2, max_epochs=3)
    assert _lr(module, 0) == pytest.approx(1e-4 * 0.25)  # reduced after validations 2 and 3


def test_a_plateau_metric_that_is_never_logged_is_named(make_module, loaders, fit) -> None:
    plateau = SchedulerConfig(name="plateau", monitor="val/psnrr")
    module = make_module(adversarial=False, generator_scheduler=plateau)
    with pytest.raises(GanEngineError, match=r"monitors 'val/psnrr'.*logged: .*val/psnr"):
        fit(module, loaders, batches=1)
