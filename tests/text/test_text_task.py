"""The ``text_super_resolution`` task: prompts to conditioning, swapped-prompt previews, matching pairs."""

from __future__ import annotations

import attrs
import pytest
import torch
from torch import Tensor, nn

from gan_engine.losses.adversarial import BCEAdversarialLoss
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from gan_engine.protocols import ConditionSwapping, Task
from gan_engine.registry import TASKS
from gan_engine.tasks.prompts import batch_metadata
from gan_engine.tasks.text_super_resolution import (
    EncoderChoice,
    TextSuperResolution,
    TextSuperResolutionParams,
)
from gan_engine.training.matching import matching_aware_discriminator_loss
from gan_engine.training.objectives import MismatchedPairs, discriminator_objective
from gan_engine.training.terms import AdversarialTerm
from gan_engine.types import Conditioning

PROMPTS = ["a red roof", "", "a long grey stone wall by the sea"]


def task(matching_weight: float = 0.0) -> TextSuperResolution:
    torch.manual_seed(0)
    params = TextSuperResolutionParams(
        encoder=EncoderChoice(name="bytes", params={"width": 8, "embedding_dim": 6, "heads": 2}),
        matching_weight=matching_weight,
    )
    return TextSuperResolution(2, 3, 2, params)


def normaliser() -> MinMaxNormaliser:
    return MinMaxNormaliser(3, MinMaxParams(minimum=[0.0], maximum=[255.0]))


def batch() -> dict[str, object]:
    generator = torch.Generator().manual_seed(0)
    hr = torch.rand(3, 3, 8, 8, generator=generator) * 255
    return {
        "lr": torch.nn.functional.avg_pool2d(hr, 2),
        "hr": hr,
        # what default_collate makes of per-sample dicts: a dict of per-sample lists
        "metadata": {"prompt": PROMPTS, "id": ["a", "b", "c"], "site": torch.tensor([1, 2, 3])},
    }


def test_registered_as_a_prompt_swapping_task() -> None:
    built = TASKS.get("text_super_resolution").factory(2, 3, 2, TextSuperResolutionParams())
    assert isinstance(built, Task)
    assert isinstance(built, ConditionSwapping)
    assert TASKS.get("text_super_resolution").capabilities.generator_needs == {
        "embedding",
        "tokens",
    }


def test_metadata_from_either_collation() -> None:
    rows = batch_metadata({"prompt": ["x", "y"], "n": torch.tensor([4, 5])}, 2, "t")
    assert rows == [{"prompt": "x", "n": 4}, {"prompt": "y", "n": 5}]
    assert batch_metadata([{"prompt": "x"}], 1, "t") == [{"prompt": "x"}]
    with pytest.raises(ValueError, match="'prompt' string; use a prompt corpus"):
        batch_metadata({"id": ["a"]}, 1, "text_super_resolution")
    with pytest.raises(ValueError, match="prompt corpus"):
        batch_metadata(None, 2, "text_super_resolution")


def test_prepare_encodes_prompts_for_the_generator_and_detaches_them_for_the_discriminator() -> (
    None
):
    text = task()
    prepared = text.prepare(batch(), normaliser())
    cond = prepared.cond
    assert cond is not None
    assert cond.embedding is not None
    assert cond.tokens is not None
    assert cond.token_mask is not None
    assert cond.embedding.shape == (3, 6)
    assert cond.tokens.shape == (3, len(PROMPTS[2]), 8)
    assert cond.token_mask.sum(1).tolist() == [len(p) for p in PROMPTS]
    assert cond.embedding.requires_grad  # trainable encoder: the graph reaches its parameters
    assert prepared.metadata is not None
    assert prepared.metadata[0] == {"prompt": "a red roof", "id": "a", "site": 1}
    image = torch.zeros(3, 3, 8, 8)
    seen, d_cond = text.discriminator_view(image, prepared)
    assert seen is image
    assert d_cond is not None
    assert d_cond.embedding is not None
    assert not d_cond.embedding.requires_grad
    assert torch.equal(d_cond.embedding, cond.embedding.detach())


def test_validation_preview_shows_the_swapped_prompt_with_captions() -> None:
    text = task()
    norm = normaliser()
    raw = batch()
    prepared = text.prepare(raw, norm)
    output = torch.zeros(3, 3, 8, 8)
    plain = text.validate(raw, prepared, output, norm, 255.0)
    assert [title for title, _ in plain.preview.columns] == ["LR", "bicubic", "SR", "HR"]
    assert plain.preview.captions == ("'a red roof'", "''", "'a long grey stone wall by the sea'")
    swapped, mismatched = text.mismatched(prepared)
    assert mismatched.tolist() == [True, True, True]
    assert swapped.embedding is not None
    prepared = (
        prepared.__class__(**{**prepared.__dict__, "variants": {"swapped": output + 1}})
        if False
        else prepared
    )
    with_variant = attrs.evolve(prepared, variants={"swapped": output + 0.5})
    result = text.validate(raw, with_variant, output, norm, 255.0)
    titles = [title for title, _ in result.preview.columns]
    assert titles == ["LR", "bicubic", "SR", "SR, swapped prompt", "HR"]
    assert result.preview.captions is not None
    assert (
        result.preview.captions[0] == "'a red roof' | swapped: 'a long grey stone wall by the sea'"
    )
    assert set(result.metrics) >= {"psnr", "psnr_bicubic"}
    assert "sr_swapped" in result.images


class PromptDiscriminator(nn.Module):
    """Logits ``mean(x) + <e, w>``: reads the embedding, as a projection discriminator does."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.ones(width))

    def forward(self, x: Tensor, cond: Conditioning | None = None) -> Tensor:
        assert cond is not None
        assert cond.embedding is not None
        return x.mean(dim=(1, 2, 3))[:, None] + (cond.embedding @ self.w)[:, None]

    def features(self, x: Tensor, cond: Conditioning | None = None) -> list[Tensor]:
        return [x]


def test_discriminator_objective_labels_real_images_with_wrong_prompts_fake() -> None:
    right = Conditioning(embedding=torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]))
    wrong = Conditioning(embedding=right.embedding.roll(1, 0))  # type: ignore[union-attr]
    mismatched = torch.tensor([True, True, False])
    discriminator = PromptDiscriminator(2)
    term = AdversarialTerm(name="bce", loss=BCEAdversarialLoss(), weight=1.0)
    real, fake = torch.rand(3, 1, 4, 4), torch.rand(3, 1, 4, 4)

    def view(image: Tensor) -> tuple[Tensor, Conditioning | None]:
        return image, right

    def wrong_view(image: Tensor) -> tuple[Tensor, Conditioning | None]:
        return image, wrong

    pairs = MismatchedPairs(wrong_view, mismatched, 0.5)
    loss, _, logs = discriminator_objective(discriminator, term, fake, real, 0.0, view, pairs)
    expected = matching_aware_discriminator_loss(
        BCEAdversarialLoss(),
        discriminator(real, right),
        discriminator(fake, right),
        discriminator(real, wrong),
        mismatched,
    )
    torch.testing.assert_close(loss, expected)
    assert "train/d_mismatched_logit" in logs
    plain, _, _ = discriminator_objective(discriminator, term, fake, real, 0.0, view)
    assert not torch.equal(plain, loss)
