from __future__ import annotations

import lightning.pytorch as pl
import pytest
import torch
from torch.utils.data import DataLoader

from gan_engine.training.config import OptimiserConfig
from tests.training.conftest import RandomPairs


class _FirstGradients(pl.Callback):
    """Keeps the generator's gradients at its first optimiser step."""

    def __init__(self) -> None:
        self.grads: list[torch.Tensor] | None = None

    def on_before_optimizer_step(self, trainer, pl_module, optimizer) -> None:  # type: ignore[no-untyped-def]
        if self.grads is None and trainer.optimizers.index(optimizer) == 0:
            self.grads = [p.grad.clone() for p in pl_module.generator.parameters()]


def _loaders(batch_size: int) -> tuple[DataLoader, DataLoader]:  # type: ignore[type-arg]
    data = RandomPairs()
    return DataLoader(data, batch_size=batch_size), DataLoader(data, batch_size=4)


def test_accumulating_two_batches_of_two_matches_one_batch_of_four(make_module, fit) -> None:
    recorded = []
    for batch_size, accumulate in ((4, 1), (2, 2)):
        module = make_module(adversarial=False, accumulate_batches=accumulate)
        recorder = _FirstGradients()
        fit(module, _loaders(batch_size), batches=accumulate, callbacks=[recorder])
        assert module.generator_steps == 1
        assert module.batches_seen == accumulate
        assert recorder.grads is not None
        recorded.append(recorder.grads)
    for whole, accumulated in zip(*recorded, strict=True):
        torch.testing.assert_close(accumulated, whole, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("batches", "accumulate", "g_steps"), [(4, 2, 2), (3, 2, 2), (4, 3, 2)])
def test_counters_count_optimiser_steps_and_epochs_end_with_a_step(
    make_module, loaders, fit, batches: int, accumulate: int, g_steps: int
) -> None:
    module = make_module(accumulate_batches=accumulate)
    trainer = fit(module, loaders, batches=batches)
    assert module.batches_seen == batches
    assert module.generator_steps == g_steps  # a partial cycle at the epoch's end still steps
    assert module.discriminator_steps == g_steps
    assert trainer.global_step == 2 * g_steps  # Lightning counts both optimisers' steps


def test_max_generator_steps_stops_training(make_module, loaders, fit) -> None:
    module = make_module(max_generator_steps=3, pretrain_steps=1)
    trainer = fit(module, loaders, batches=4, max_epochs=5)
    assert module.generator_steps == 3
    assert trainer.global_step == 5  # 1 pretraining step + 2 adversarial batches of 2 steps
    assert module.batches_seen == 3  # stopped mid-epoch
    assert trainer.callback_metrics["val/generator_steps"].item() == 3.0  # validated at the stop


def test_max_generator_steps_counts_accumulated_steps(make_module, loaders, fit) -> None:
    module = make_module(adversarial=False, max_generator_steps=2, accumulate_batches=2)
    fit(module, loaders, batches=4, max_epochs=3)
    assert (module.generator_steps, module.batches_seen) == (2, 4)


def test_bf16_mixed_precision_trains_on_cpu(make_module, loaders, fit) -> None:
    module = make_module(pretrain_steps=1, generator_optimizer=OptimiserConfig(lr=1e-3))
    before = [p.detach().clone() for p in module.generator.parameters()]
    trainer = fit(module, loaders, batches=3, precision="bf16-mixed")
    assert module.generator_steps == 3
    assert module.discriminator_steps == 2
    for key in ("train/g_total", "train/d_loss", "val/psnr"):
        assert torch.isfinite(trainer.callback_metrics[key]), key
    after = list(module.generator.parameters())
    assert all(p.dtype == torch.float32 for p in after)  # weights stay float32 under autocast
    assert any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))
    assert all(bool(torch.isfinite(p).all()) for p in after)


def test_compile_is_in_place_and_keeps_the_state_dict_keys(make_module) -> None:
    # Running compiled networks takes minutes on CPU (inductor); this checks the wiring only.
    module = make_module(compile=True, channels_last=True)
    keys = list(module.state_dict())
    module.configure_model()
    module.configure_model()  # Lightning may call it again: compiles once
    for network in (module.generator, module.discriminator):
        assert network._compiled_call_impl is not None
    assert list(module.state_dict()) == keys  # no "_orig_mod." prefix
    weight = module.generator.state_dict()["head.0.weight"]
    assert weight.is_contiguous(memory_format=torch.channels_last)
