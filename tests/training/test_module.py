from __future__ import annotations

from pathlib import Path

import lightning.pytorch as pl
import pytest
import torch

from gan_engine.training.config import EMAConfig, GradientClipConfig, NonFiniteConfig
from gan_engine.training.module import CHECKPOINT_KEY


def _snapshot(module: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def _changed(before: list[torch.Tensor], module: torch.nn.Module) -> bool:
    return any(not torch.equal(a, b) for a, b in zip(before, module.parameters(), strict=True))


def test_pretraining_leaves_the_discriminator_untouched(make_module, loaders, fit) -> None:
    module = make_module(pretrain_steps=10)
    d_before = _snapshot(module.discriminator)
    g_before = _snapshot(module.generator)
    fit(module, loaders, batches=3)
    assert module.generator_steps == 3
    assert module.discriminator_steps == 0
    assert not _changed(d_before, module.discriminator)
    assert _changed(g_before, module.generator)


@pytest.mark.parametrize(("interval", "expected"), [(1, 4), (2, 2), (3, 2)])
def test_discriminator_cadence(make_module, loaders, fit, interval: int, expected: int) -> None:
    module = make_module(d_update_interval=interval)
    fit(module, loaders, batches=4)
    assert module.generator_steps == 4
    assert module.discriminator_steps == expected


def test_adversarial_weight_ramps_after_pretraining(make_module) -> None:
    module = make_module(pretrain_steps=2, adversarial_ramp_steps=4)
    weights = []
    for step in range(8):
        module.generator_steps = step
        weights.append(module.adversarial_weight())
    assert weights[:2] == [0.0, 0.0]
    assert weights[2:7] == pytest.approx([0.0, 0.0025, 0.005, 0.0075, 0.01])
    assert weights[7] == pytest.approx(0.01)


def test_content_only_training_has_one_optimiser(make_module, loaders, fit) -> None:
    module = make_module(adversarial=False)
    configs = module.configure_optimizers()
    assert len(configs) == 1
    assert configs[0]["lr_scheduler"]["name"] == "lr-generator"  # type: ignore[index]
    fit(module, loaders, batches=2)
    assert module.generator_steps == 2


def test_validation_logs_model_and_bicubic_psnr(make_module, loaders, fit) -> None:
    module = make_module()
    trainer = fit(module, loaders, batches=1)
    metrics = trainer.callback_metrics
    assert torch.isfinite(metrics["val/psnr"])
    assert torch.isfinite(metrics["val/psnr_bicubic"])
    assert metrics["val/generator_steps"].item() == 1.0


def test_checkpoint_holds_spec_counters_and_restores_them(
    make_module, loaders, fit, tmp_path: Path
) -> None:
    module = make_module(d_update_interval=2)
    trainer = fit(module, loaders, batches=3)
    path = tmp_path / "x.ckpt"
    trainer.save_checkpoint(path)
    checkpoint = torch.load(path, weights_only=True)  # plain data only
    state = checkpoint[CHECKPOINT_KEY]
    assert set(state) == {
        "spec",
        "task",
        "generator_steps",
        "discriminator_steps",
        "batches_seen",
        "nonfinite",
        "rng",
    }
    assert state["spec"] == {"note": "test"}
    assert state["task"] == "super_resolution"
    assert (state["generator_steps"], state["discriminator_steps"], state["batches_seen"]) == (
        3,
        2,
        3,
    )
    assert state["nonfinite"] == {
        "skipped": 0,
        "generator_consecutive": 0,
        "discriminator_consecutive": 0,
    }
    assert set(state["rng"]) >= {"torch", "numpy", "python"}
    prefixes = {key.partition(".")[0] for key in checkpoint["state_dict"]}
    assert prefixes <= {"generator", "discriminator", "normaliser"}  # each network exactly once
    assert {k for k in checkpoint["state_dict"] if k.startswith("generator.")} == {
        f"generator.{k}" for k in module.generator.state_dict()
    }
    restored = make_module(d_update_interval=2)
    restored.on_load_checkpoint(checkpoint)
    assert (restored.generator_steps, restored.discriminator_steps) == (3, 2)
    assert restored.batches_seen == 3


def test_a_foreign_checkpoint_is_rejected(make_module) -> None:
    from gan_engine.training.checkpoint_io import CheckpointFormatError

    with pytest.raises(CheckpointFormatError, match="not a GAN-Engine checkpoint"):
        make_module().on_load_checkpoint({"state_dict": {}})


def test_discriminator_and_adversarial_term_go_together(make_module) -> None:
    module = make_module()
    with pytest.raises(ValueError, match="give both or neither"):
        type(module)(
            generator=module.generator,
            discriminator=None,
            content_terms=module.content_terms,
            adversarial_term=module.adversarial_term,
            normaliser=module.normaliser,
            config=module.config,
            data_range=255.0,
        )


def test_channels_last_training_matches_default_layout(make_module, loaders, fit) -> None:
    plain = make_module(pretrain_steps=10)
    fit(plain, loaders, batches=2)
    fast = make_module(pretrain_steps=10, channels_last=True)
    fit(fast, loaders, batches=2)
    for a, b in zip(plain.generator.parameters(), fast.generator.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


class _StepGradNorms(pl.Callback):
    """Records each network's gradient norm as its last optimiser step used them."""

    def __init__(self) -> None:
        self.norms: dict[str, list[float]] = {"generator": [], "discriminator": []}

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # type: ignore[no-untyped-def]
        for name in self.norms:
            grads = [
                p.grad.norm() for p in getattr(pl_module, name).parameters() if p.grad is not None
            ]
            if grads:  # the discriminator has none while the generator pretrains
                self.norms[name].append(torch.linalg.vector_norm(torch.stack(grads)).item())


def test_gradient_clipping_bounds_each_network(make_module, loaders, fit) -> None:

    clip = GradientClipConfig(algorithm="norm", generator=1e-3, discriminator=2e-3)
    module = make_module(gradient_clip=clip)
    recorder = _StepGradNorms()
    fit(module, loaders, batches=3, callbacks=[recorder])
    assert len(recorder.norms["generator"]) == 3
    assert len(recorder.norms["discriminator"]) == 3
    assert max(recorder.norms["generator"]) <= 1e-3 * (1 + 1e-4)
    assert max(recorder.norms["discriminator"]) <= 2e-3 * (1 + 1e-4)


def test_without_clipping_gradients_exceed_those_bounds(make_module, loaders, fit) -> None:
    recorder = _StepGradNorms()
    fit(make_module(), loaders, batches=2, callbacks=[recorder])
    assert max(recorder.norms["generator"]) > 1e-3


def test_clipping_under_16_mixed_bounds_the_unscaled_gradients(make_module, loaders, fit) -> None:
    from lightning.pytorch.plugins.precision import MixedPrecision

    clip = GradientClipConfig(algorithm="norm", generator=1e-3, discriminator=2e-3)
    module = make_module(pretrain_steps=1, gradient_clip=clip)
    recorder = _StepGradNorms()
    # Lightning turns precision="16-mixed" into bf16 on CPU; the plugin keeps fp16 and its scaler.
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**12)
    plugin = MixedPrecision("16-mixed", "cpu", scaler)
    trainer = fit(module, loaders, batches=3, callbacks=[recorder], plugins=[plugin])
    assert trainer.precision == "16-mixed"
    assert scaler.get_scale() > 1.0  # the gradients were scaled
    assert (module.generator_steps, module.discriminator_steps) == (3, 2)
    # Clipped after unscaling: at the threshold, not at threshold / scale.
    for norm in recorder.norms["generator"]:
        assert 0.5e-3 < norm <= 1e-3 * (1 + 1e-3)
    assert len(recorder.norms["discriminator"]) == 2
    for norm in recorder.norms["discriminator"]:
        assert 1e-3 < norm <= 2e-3 * (1 + 1e-3)


class _HostReads(pl.Callback):
    """Counts tensor-to-Python reads (``.item()``, ``bool()``: host synchronisations on a GPU) per batch."""

    def __init__(self) -> None:
        from torch.utils._python_dispatch import TorchDispatchMode

        reads = self.reads = [0]

        class Counter(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
                if func is torch.ops.aten._local_scalar_dense.default:
                    reads[0] += 1
                return func(*args, **(kwargs or {}))

        self.mode = Counter()
        self.per_batch: list[int] = []
        self.pending: list[int] = []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:  # type: ignore[no-untyped-def]
        self.reads[0] = 0
        self.mode.__enter__()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # type: ignore[no-untyped-def]
        self.mode.__exit__(None, None, None)
        self.per_batch.append(self.reads[0])
        self.pending.append(len(pl_module.updates.pending))


def test_default_training_steps_never_read_tensors_back_between_logging_steps(
    make_module, loaders, fit
) -> None:
    module = make_module(pretrain_steps=1, ema=EMAConfig(enabled=True, decay=0.9))
    reads = _HostReads()
    fit(module, loaders, batches=4, callbacks=[reads], log_every_n_steps=2)
    assert reads.per_batch == [0, 0, 0, 0]
    # The flags wait on the device (G only while pretraining, then G and D) until batches 2 and 4 log.
    assert reads.pending == [1, 0, 2, 0]
    assert module.generator_steps == 4


def test_checking_every_step_reads_back_at_every_update(make_module, loaders, fit) -> None:

    module = make_module(pretrain_steps=1, nonfinite=NonFiniteConfig(check="every_step"))
    reads = _HostReads()
    fit(module, loaders, batches=3, callbacks=[reads], log_every_n_steps=100)
    assert all(count > 0 for count in reads.per_batch)
