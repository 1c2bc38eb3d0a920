"""How the module feeds loss terms: schedules, discriminator features and logits, R1, finite guard."""

from __future__ import annotations

import types

import pytest
import torch
from torch import Tensor, nn

from gan_engine.losses.adversarial import RelativisticAverageLoss
from gan_engine.losses.feature_matching import FeatureMatchingLoss
from gan_engine.nn.inference_forms import InferenceForms
from gan_engine.protocols import LossContext
from gan_engine.training.guard import NonFiniteLossError
from gan_engine.training.schedules import WeightSchedule
from gan_engine.training.terms import AdversarialTerm, LossTerm


class Recorder(nn.Module):
    """A content loss that records the steps and contexts it was called with."""

    name = "recorder"

    def __init__(self, value: float = 0.0) -> None:
        super().__init__()
        self.value = value
        self.steps: list[int] = []
        self.contexts: list[LossContext] = []

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        self.steps.append(context.step)
        self.contexts.append(context)
        return (sr - hr).abs().mean() * 0 + self.value


def _with_terms(module, *terms: LossTerm):  # type: ignore[no-untyped-def]
    module.content_terms = (*module.content_terms, *terms)
    return module


@pytest.mark.parametrize(
    ("schedule", "computed_at"),
    [
        (WeightSchedule(shape="constant", start=2), [2, 3]),
        # a ramp starts from weight 0 at its start step
        (WeightSchedule(shape="linear", start=2, length=2), [3]),
    ],
)
def test_a_scheduled_term_is_not_computed_while_its_weight_is_zero(
    make_module, loaders, fit, schedule: WeightSchedule, computed_at: list[int]
) -> None:
    recorder = Recorder()
    module = _with_terms(
        make_module(adversarial=False), LossTerm("recorder", recorder, 1.0, schedule)
    )
    fit(module, loaders, batches=4)
    assert recorder.steps == computed_at


def test_a_nan_term_is_named(make_module, loaders, fit) -> None:
    module = _with_terms(
        make_module(adversarial=False), LossTerm("recorder", Recorder(float("nan")), 1.0)
    )
    with pytest.raises(NonFiniteLossError, match="loss term 'recorder' is nan at step 0"):
        fit(module, loaders, batches=1)


def test_feature_matching_receives_discriminator_features(make_module, loaders, fit) -> None:
    module = make_module()
    recorder = Recorder()
    recorder.needs_features = True  # type: ignore[attr-defined]
    _with_terms(module, LossTerm("fm", FeatureMatchingLoss(), 1.0), LossTerm("rec", recorder, 1.0))
    trainer = fit(module, loaders, batches=1)
    context = recorder.contexts[0]
    assert context.fake_features is not None
    assert context.real_features is not None
    assert len(context.fake_features) == len(context.real_features) > 0
    assert torch.isfinite(trainer.callback_metrics["train/g_fm"])


def test_relativistic_loss_receives_real_logits(make_module, loaders, fit) -> None:
    module = make_module()
    module.adversarial_term = AdversarialTerm("relativistic", RelativisticAverageLoss(), 0.01)
    recorder = Recorder()
    _with_terms(module, LossTerm("rec", recorder, 1.0))
    fit(module, loaders, batches=1)
    assert recorder.contexts[0].real_logits is not None
    assert recorder.contexts[0].fake_logits is not None


def test_r1_penalty_is_added_to_the_discriminator_loss(make_module, loaders, fit) -> None:
    trainer = fit(make_module(r1_gamma=10.0), loaders, batches=2)
    assert trainer.callback_metrics["train/d_r1"] >= 0.0


def test_validation_logs_ssim_and_sam(make_module, loaders, fit) -> None:
    metrics = fit(make_module(), loaders, batches=1).callback_metrics
    for key in ("val/ssim", "val/ssim_bicubic", "val/sam", "val/sam_bicubic"):
        assert torch.isfinite(metrics[key])
    assert -1.0 <= metrics["val/ssim"].item() <= 1.0


def test_feature_losses_need_a_discriminator(make_module) -> None:
    module = make_module(adversarial=False)
    with pytest.raises(ValueError, match="needs discriminator features"):
        type(module)(
            generator=module.generator,
            discriminator=None,
            content_terms=[LossTerm("fm", FeatureMatchingLoss(), 1.0)],
            adversarial_term=None,
            normaliser=module.normaliser,
            config=module.config,
            data_range=255.0,
        )


def test_the_batch_mask_reaches_the_losses(make_module, loaders, fit) -> None:
    recorder = Recorder()
    module = _with_terms(make_module(adversarial=False), LossTerm("rec", recorder, 1.0))
    train, val = loaders

    def with_mask(batch):  # type: ignore[no-untyped-def]
        batch = torch.utils.data.default_collate(batch)
        batch["mask"] = torch.ones_like(batch["hr"][:, :1])
        return batch

    masked = torch.utils.data.DataLoader(train.dataset, batch_size=2, collate_fn=with_mask)
    fit(module, (masked, val), batches=1)
    mask = recorder.contexts[0].mask
    assert mask is not None
    assert mask.shape == (2, 1, 16, 16)


def test_validation_runs_the_inference_forms_and_training_the_plain_ones(
    make_module, loaders, fit
) -> None:
    module = make_module(adversarial=False)
    seen: list[tuple[bool, bool]] = []
    step = type(module).validation_step

    def recording(self, batch, batch_idx):  # type: ignore[no-untyped-def]
        seen.append((self.generator.inference_form, torch.is_grad_enabled()))
        return step(self, batch, batch_idx)

    module.validation_step = types.MethodType(recording, module)  # type: ignore[method-assign]
    fit(module, loaders, batches=2, val_check_interval=1)
    assert seen
    assert all(form and not grad for form, grad in seen)
    assert not module.generator.inference_form
    forms = [m.inference_form for m in module.generator.modules() if isinstance(m, InferenceForms)]
    assert forms
    assert not any(forms)
