from __future__ import annotations

import itertools
from pathlib import Path

import lightning.pytorch as pl
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from gan_engine.training.config import EMAConfig, OptimiserConfig
from gan_engine.training.ema import GeneratorEMA, ema_decay
from gan_engine.training.module import CHECKPOINT_KEY


@given(
    decay=st.floats(0.0, 0.9999),
    after=st.integers(0, 20),
    warmup=st.booleans(),
    steps=st.lists(st.integers(1, 500), min_size=2),
)
def test_decay_is_zero_until_the_start_then_monotone_and_bounded(
    decay: float, after: int, warmup: bool, steps: list[int]
) -> None:
    config = EMAConfig(enabled=True, decay=decay, update_after_step=after, warmup=warmup)
    assert ema_decay(after, config) == 0.0
    values = [ema_decay(step, config) for step in sorted(steps)]
    assert all(0.0 <= v <= decay for v in values)
    assert all(a <= b for a, b in itertools.pairwise(values))


def test_decay_warmup_values() -> None:
    config = EMAConfig(enabled=True, decay=0.999, update_after_step=2)
    assert [ema_decay(s, config) for s in (2, 3, 4)] == pytest.approx([0.0, 0.1, 2 / 11])
    assert ema_decay(10_000, config) == 0.999
    assert ema_decay(3, EMAConfig(enabled=True, decay=0.9, warmup=False)) == 0.9


class _Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.norm = nn.BatchNorm1d(2)


def test_update_averages_parameters_and_copies_buffers() -> None:
    net = _Net()
    ema = GeneratorEMA(EMAConfig(enabled=True, decay=0.5, warmup=False))
    ema.attach(net)
    start = net.linear.weight.detach().clone()
    with torch.no_grad():
        net.linear.weight.add_(1.0)
        net.norm.running_mean.fill_(3.0)
        net.norm.num_batches_tracked.fill_(7)
    ema.update(net, step=1)
    torch.testing.assert_close(ema.average["linear.weight"], start + 0.5)
    assert torch.equal(ema.average["norm.running_mean"], net.norm.running_mean)
    assert ema.average["norm.num_batches_tracked"].item() == 7
    assert set(ema.state_dict()) == set(net.state_dict())
    assert not any(p is v for p in net.parameters() for v in ema.average.values())


def test_swap_in_and_restore_give_back_the_raw_weights_exactly() -> None:
    net = _Net()
    ema = GeneratorEMA(EMAConfig(enabled=True, decay=0.9))
    ema.attach(net)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(torch.randn_like(p) / 3)  # not exactly representable offsets
    ema.update(net, step=5)
    raw = {k: v.clone() for k, v in net.state_dict().items()}
    ema.swap_in(net)
    assert ema.swapped
    for key, value in net.state_dict().items():
        assert torch.equal(value, ema.average[key])
    ema.swap_in(net)  # idempotent: never backs up the EMA weights as raw ones
    ema.restore(net)
    assert not ema.swapped
    for key, value in net.state_dict().items():
        assert torch.equal(value, raw[key])


def test_loading_a_mismatched_average_is_refused() -> None:
    ema = GeneratorEMA(EMAConfig(enabled=True))
    ema.attach(_Net())
    with pytest.raises(ValueError, match=r"missing .*norm\.running_var"):
        ema.load_state_dict(
            {k: v for k, v in _Net().state_dict().items() if "running_var" not in k}
        )


class _ValidationWeights(pl.Callback):
    """Copies the generator's weights at the first validation batch (after EMASwap's swap)."""

    def __init__(self) -> None:
        self.seen: dict[str, torch.Tensor] | None = None

    def on_validation_batch_start(
        self, trainer, pl_module, batch, batch_idx, dataloader_idx=0
    ) -> None:  # type: ignore[no-untyped-def]
        self.seen = {k: v.clone() for k, v in pl_module.generator.state_dict().items()}


def _ema_module(make_module, **config: object):  # type: ignore[no-untyped-def]
    return make_module(
        pretrain_steps=1,
        ema=EMAConfig(enabled=True, decay=0.5, warmup=False),
        generator_optimizer=OptimiserConfig(lr=1e-2),
        **config,
    )


@pytest.mark.parametrize("channels_last", [False, True])
def test_validation_uses_the_ema_generator_and_training_the_raw_one(
    make_module, loaders, fit, tmp_path: Path, channels_last: bool
) -> None:
    module = _ema_module(make_module, channels_last=channels_last)
    spy = _ValidationWeights()
    trainer = fit(module, loaders, batches=3, callbacks=[spy])
    assert module.ema is not None
    average = module.ema.state_dict()
    raw = module.generator.state_dict()
    assert spy.seen is not None
    assert all(torch.equal(spy.seen[k], average[k]) for k in average)  # validated with EMA
    assert any(not torch.equal(raw[k], average[k]) for k in average)  # raw weights are back
    # Not a parameter: neither in the optimiser nor in the module's state dict.
    optimised = {id(p) for g in trainer.optimizers[0].param_groups for p in g["params"]}
    assert optimised == {id(p) for p in module.generator.parameters()}
    assert not any("ema" in key for key in module.state_dict())

    path = tmp_path / "ema.ckpt"
    trainer.save_checkpoint(path)
    checkpoint = torch.load(path, weights_only=True)
    saved = checkpoint[CHECKPOINT_KEY]["ema_generator"]
    assert set(saved) == set(raw)
    assert all(torch.equal(saved[k], average[k]) for k in raw)
    assert all(torch.equal(checkpoint["state_dict"][f"generator.{k}"], raw[k]) for k in raw)


def test_a_checkpoint_written_during_validation_still_holds_the_raw_generator(
    make_module, loaders, fit, tmp_path: Path
) -> None:
    path = tmp_path / "during.ckpt"

    class SaveDuringValidation(pl.Callback):
        def on_validation_epoch_end(self, trainer, pl_module) -> None:  # type: ignore[no-untyped-def]
            trainer.save_checkpoint(path)

    module = _ema_module(make_module)
    fit(module, loaders, batches=2, callbacks=[SaveDuringValidation()])
    checkpoint = torch.load(path, weights_only=True)
    raw = module.generator.state_dict()
    assert all(torch.equal(checkpoint["state_dict"][f"generator.{k}"], v) for k, v in raw.items())
    saved = checkpoint[CHECKPOINT_KEY]["ema_generator"]
    assert any(not torch.equal(saved[k], v) for k, v in raw.items())


def test_the_ema_generator_is_restored_from_a_checkpoint(
    make_module, loaders, fit, tmp_path: Path
) -> None:
    module = _ema_module(make_module)
    trainer = fit(module, loaders, batches=2)
    path = tmp_path / "x.ckpt"
    trainer.save_checkpoint(path)
    restored = _ema_module(make_module)
    restored.on_load_checkpoint(torch.load(path, weights_only=True))
    restored.on_fit_start()  # attaches: the loaded average replaces the fresh copy
    assert restored.ema is not None
    assert module.ema is not None
    expected = module.ema.state_dict()
    assert all(torch.equal(v, expected[k]) for k, v in restored.ema.state_dict().items())


def test_attaching_again_keeps_the_average_so_far() -> None:
    net = _Net()
    ema = GeneratorEMA(EMAConfig(enabled=True, decay=0.5, warmup=False))
    ema.attach(net)
    with torch.no_grad():
        net.linear.weight.add_(1.0)
    ema.update(net, step=1)
    average = {k: v.clone() for k, v in ema.state_dict().items()}
    ema.attach(net)  # e.g. a second fit, perhaps after the generator moved to another device
    assert all(torch.equal(v, average[k]) for k, v in ema.state_dict().items())
    assert not torch.equal(ema.average["linear.weight"], net.linear.weight)
