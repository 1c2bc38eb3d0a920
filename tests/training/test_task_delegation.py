"""The engine delegates to its task: batches, generator calls, discriminator views, validation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from gan_engine.data.collate import collate_samples
from gan_engine.losses.adversarial import BCEAdversarialLoss
from gan_engine.normalisers.conditioning import ConditioningNormalisation, EmbeddingNormalisation
from gan_engine.protocols import LossContext, Normaliser, Task, TaskBatch
from gan_engine.registry import DISCRIMINATORS, NORMALISERS, TASKS
from gan_engine.tasks.super_resolution import SuperResolution
from gan_engine.training.callbacks.extra_validation import ExtraValidation
from gan_engine.training.config import TrainingConfig
from gan_engine.training.module import GANModule
from gan_engine.training.terms import AdversarialTerm, LossTerm
from gan_engine.types import Conditioning, Preview
from tests.tasks.toy_components import HoleConditionedGenerator, HoleConditionedSR, ToyParams
from tests.training.conftest import RandomPairs, tiny_params


class RecordingL1:
    """L1 that keeps the contexts it was called with."""

    name = "recording_l1"

    def __init__(self) -> None:
        self.contexts: list[LossContext] = []

    def __call__(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        self.contexts.append(context)
        return (sr - hr).abs().mean()


class WithMetadata(Dataset[dict[str, Any]]):
    def __init__(self) -> None:
        self.pairs = RandomPairs(4)

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {**self.pairs[index], "metadata": {"index": index}}


class ViewCounter(HoleConditionedSR):
    """The toy task, counting what the discriminator is shown."""

    seen: list[int]

    def discriminator_view(
        self, image: Tensor, batch: TaskBatch
    ) -> tuple[Tensor, Conditioning | None]:
        self.seen.append(image.shape[0])
        return image, None


def _toy_module(task: HoleConditionedSR, loss: RecordingL1) -> GANModule:
    torch.manual_seed(0)
    generator = HoleConditionedGenerator(2, 3, 3, 2, ToyParams(n_features=4))
    entry = DISCRIMINATORS.get("srgan")
    discriminator = entry.factory(spatial_dims=2, in_channels=3, params=tiny_params(entry))
    normaliser = NORMALISERS.get("fixed_scale")
    return GANModule(
        generator=generator,
        discriminator=discriminator,
        content_terms=[LossTerm(name="l1", loss=loss, weight=1.0)],
        adversarial_term=AdversarialTerm(name="bce", loss=BCEAdversarialLoss(), weight=0.01),
        normaliser=normaliser.factory(channels=3, params=normaliser.params_cls()),
        config=TrainingConfig(pretrain_steps=1),
        data_range=255.0,
        task=task,
    )


def test_losses_see_the_tasks_conditioning_holes_and_metadata(
    fit: Callable[..., Any],
) -> None:
    loss = RecordingL1()
    task = ViewCounter(2, 3, 2)
    object.__setattr__(task, "seen", [])
    module = _toy_module(task, loss)
    data = WithMetadata()
    hooked: list[list[dict[str, Tensor]]] = []
    validation = ExtraValidation([lambda _module, outputs: hooked.append(outputs)])
    loaders = (
        DataLoader(data, batch_size=2, collate_fn=collate_samples),
        DataLoader(data, batch_size=4, collate_fn=collate_samples),
    )
    fit(module, loaders, 2, callbacks=[validation])
    assert module.generator_steps == 2
    first, second = loss.contexts[0], loss.contexts[1]
    assert first.cond is not None
    assert first.cond.holes is not None
    assert first.cond.holes.shape == (2, 1, 8, 8)
    assert first.target_holes is not None
    assert first.target_holes.shape == (2, 1, 16, 16)
    assert set(first.target_holes.unique().tolist()) <= {0.0, 1.0}
    assert first.metadata is not None
    assert [m["index"] for m in first.metadata] + [m["index"] for m in second.metadata or []] == [
        0,
        1,
        2,
        3,
    ]
    # step 1 pretrains (no discriminator); step 2 shows it real and fake, and the fake again to G
    assert task.seen == [2, 2, 2]
    assert second.fake_logits is not None
    # validation: the task's metrics (and only per-sample tensors) reach extra_validation hooks
    (outputs,) = hooked
    assert set(outputs[0]) == {"psnr", "ssim", "psnr_nearest", "ssim_nearest", "sam", "sam_nearest"}


def test_super_resolution_validation_reports_todays_metrics_images_and_preview() -> None:
    task = SuperResolution(2, 3, 2)
    assert isinstance(task, Task)
    normaliser = NORMALISERS.get("fixed_scale")
    norm = normaliser.factory(channels=3, params=normaliser.params_cls())
    pairs = RandomPairs(2)
    batch = {"lr": pairs.lr, "hr": pairs.hr}
    prepared = task.prepare(batch, norm)
    assert torch.equal(prepared.inputs, norm.normalise(pairs.lr, "lr"))
    assert prepared.cond is None
    assert task.discriminator_view(prepared.target, prepared) == (prepared.target, None)
    result = task.validate(batch, prepared, prepared.target, norm, 255.0)
    assert set(result.metrics) == {
        "psnr",
        "ssim",
        "sam",
        "psnr_bicubic",
        "ssim_bicubic",
        "sam_bicubic",
    }
    assert result.headline == "psnr"
    assert set(result.images) == {"lr", "bicubic", "sr", "hr"}
    assert isinstance(result.preview, Preview)
    assert [title for title, _ in result.preview.columns] == ["LR", "bicubic", "SR", "HR"]
    assert torch.allclose(result.images["sr"], pairs.hr, atol=1e-3)  # the target, denormalised
    assert bool((result.metrics["psnr"] > result.metrics["psnr_bicubic"]).all())


def test_a_module_without_a_task_is_super_resolution(make_module: Callable[..., GANModule]) -> None:
    module = make_module()
    assert isinstance(module.task, SuperResolution)
    assert (module.task.spatial_dims, module.task.channels, module.task.scale) == (2, 3, 2)
    assert TASKS.get("super_resolution").factory is SuperResolution


def test_resuming_with_another_task_is_refused(make_module: Callable[..., GANModule]) -> None:
    from gan_engine.training.checkpoint_io import CheckpointFormatError
    from gan_engine.training.module import CHECKPOINT_KEY

    module = make_module()
    state = {CHECKPOINT_KEY: {"task": "inpainting", "generator_steps": 0, "discriminator_steps": 0}}
    with pytest.raises(CheckpointFormatError, match="trained for task 'inpainting'"):
        module.on_load_checkpoint(state)


class BatchSpy(SuperResolution):
    """Super-resolution, keeping the batches it prepares."""

    batches: list[Mapping[str, Any]]

    def prepare(self, batch: Mapping[str, Any], normaliser: Normaliser) -> TaskBatch:
        self.batches.append(batch)
        return super().prepare(batch, normaliser)


def test_the_task_reads_conditioning_normalised_by_the_spec(
    make_module: Callable[..., GANModule],
) -> None:
    spy = BatchSpy(2, 3, 2)
    object.__setattr__(spy, "batches", [])
    module = make_module()
    module.task = spy
    module.conditioning = ConditioningNormalisation(embedding=EmbeddingNormalisation(method="l2"))
    pairs = RandomPairs(2)
    holes = torch.ones(2, 1, 8, 8)
    embedding = torch.tensor([[3.0, 4.0], [0.0, 2.0]])
    module._prepare({"lr": pairs.lr, "hr": pairs.hr, "embedding": embedding, "holes": holes})
    (seen,) = spy.batches
    assert torch.allclose(seen["embedding"], torch.tensor([[0.6, 0.8], [0.0, 1.0]]))
    assert seen["holes"] is holes
