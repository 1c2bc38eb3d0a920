"""Text losses: the matching-aware term, CLIP alignment and embedding-space alignment."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from gan_engine.errors import InvalidParamError
from gan_engine.losses.adversarial import BCEAdversarialLoss, HingeLoss
from gan_engine.losses.embedding_alignment import EmbeddingAlignmentLoss, image_similarities
from gan_engine.protocols import AdversarialLoss, LossContext
from gan_engine.tasks.prompts import mismatched_prompts
from gan_engine.training.matching import matching_aware_discriminator_loss
from gan_engine.types import BuildContext, Conditioning
from tests.text.open_clip_fixture import write_tiny_open_clip


def prompts(*rows: list[float]) -> Conditioning:
    embedding = torch.tensor(rows)
    return Conditioning(
        embedding=embedding,
        tokens=embedding[:, None, :].clone(),
        token_mask=torch.ones(len(rows), 1, dtype=torch.bool),
    )


def test_prompts_are_rolled_and_duplicates_are_not_mismatches() -> None:
    cond = prompts([1.0, 0.0], [0.0, 1.0], [0.0, 1.0])
    rolled, mismatched = mismatched_prompts(cond)
    assert rolled.embedding is not None
    assert rolled.tokens is not None
    assert rolled.embedding.tolist() == [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    assert torch.equal(rolled.tokens[:, 0], rolled.embedding)
    # sample 2 receives sample 1's prompt, which is its own: not a mismatch
    assert mismatched.tolist() == [True, True, False]
    _, single = mismatched_prompts(prompts([1.0, 2.0]))
    assert single.tolist() == [False]


@pytest.mark.parametrize("adversarial", [BCEAdversarialLoss(), HingeLoss()], ids=["bce", "hinge"])
def test_mismatched_pairs_are_labelled_fake(adversarial: AdversarialLoss) -> None:
    real = torch.zeros(3, 1)
    fake = torch.zeros(3, 1)
    wrong = torch.zeros(3, 1, requires_grad=True)
    mismatched = torch.tensor([True, True, False])
    loss = matching_aware_discriminator_loss(adversarial, real, fake, wrong, mismatched)
    loss.backward()
    assert wrong.grad is not None
    # lowering the logit of a real image with a wrong prompt lowers the loss: it is "fake"
    assert (wrong.grad[:2] > 0).all()
    assert wrong.grad[2] == 0  # not a real mismatch: left out
    plain = adversarial.discriminator_loss(real, fake)
    with torch.no_grad():
        none = matching_aware_discriminator_loss(
            adversarial, real, fake, wrong, torch.zeros(3, dtype=torch.bool)
        )
        off = matching_aware_discriminator_loss(adversarial, real, fake, wrong, mismatched, 0.0)
    assert torch.equal(none, plain)
    assert torch.equal(off, plain)


def test_bce_matching_aware_is_reeds_objective() -> None:
    real, fake, wrong = torch.randn(4, 1), torch.randn(4, 1), torch.randn(4, 1)
    loss = matching_aware_discriminator_loss(
        BCEAdversarialLoss(), real, fake, wrong, torch.ones(4, dtype=torch.bool)
    )
    expected = (
        F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
        + 0.5 * F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
        + 0.5 * F.binary_cross_entropy_with_logits(wrong, torch.zeros_like(wrong))
    )
    torch.testing.assert_close(loss, expected)


def test_embedding_alignment_is_zero_when_geometries_agree() -> None:
    hr = torch.rand(4, 3, 8, 8)
    thumbnails = F.adaptive_avg_pool2d(hr, 4).flatten(1)
    centred = thumbnails - thumbnails.mean(dim=1, keepdim=True)
    loss = EmbeddingAlignmentLoss()
    agreeing = LossContext(cond=Conditioning(embedding=centred * 3.0))
    assert float(loss(hr, hr, agreeing)) < 1e-10
    embedding = torch.randn(4, 5, requires_grad=True)
    value = loss(hr, hr, LossContext(cond=Conditioning(embedding=embedding)))
    assert value > 0
    value.backward()
    assert embedding.grad is not None
    assert embedding.grad.abs().sum() > 0
    assert torch.allclose(torch.diagonal(image_similarities(hr, 4)), torch.ones(4))


def test_embedding_alignment_leaves_dropped_prompts_out() -> None:
    hr = torch.rand(3, 1, 4, 4, 4)  # 3D works the same
    embedding = torch.randn(3, 5, requires_grad=True)
    metadata = [{"prompt": "a"}, {"prompt": ""}, {"prompt": "b"}]
    loss = EmbeddingAlignmentLoss()(
        hr, hr, LossContext(cond=Conditioning(embedding=embedding), metadata=metadata)
    )
    loss.backward()
    assert embedding.grad is not None
    assert embedding.grad[1].abs().sum() == 0
    only_one = [{"prompt": "a"}, {"prompt": ""}, {"prompt": ""}]
    context = LossContext(cond=Conditioning(embedding=embedding), metadata=only_one)
    assert float(EmbeddingAlignmentLoss()(hr, hr, context).detach()) == 0.0
    with pytest.raises(ValueError, match=r"context\.cond\.embedding"):
        EmbeddingAlignmentLoss()(hr, hr, LossContext())


def clip_params(folder: Path, channels: list[int] | None = None) -> object:
    from gan_engine.losses.clip_alignment import ClipAlignmentParams

    return ClipAlignmentParams(path=str(folder), channels=channels)


def test_clip_alignment_refuses_other_band_counts_at_load(tmp_path: Path) -> None:
    from gan_engine.losses.clip_alignment import ClipAlignmentParams

    params = ClipAlignmentParams(path=str(tmp_path / "missing"))
    errors = params.check(BuildContext(spatial_dims=2, channels=4, scale=4))
    by_key = {error.key: error.message for error in errors}
    assert "4 band(s)" in by_key["channels"]
    assert "give channels" in by_key["channels"]
    assert "checkpoint folder not found" in by_key["path"]
    chosen = ClipAlignmentParams(path=str(tmp_path), channels=[2, 1, 0])
    assert [e.key for e in chosen.check(BuildContext(2, 4, 4))] == ["path"]
    assert [e.key for e in chosen.check(BuildContext(3, 2, 4))] == [
        "spatial_dims",
        "channels",
        "path",
    ]
    with pytest.raises(InvalidParamError, match="expected 3 band indices"):
        ClipAlignmentParams(path=str(tmp_path), channels=[0, 1])


def test_clip_alignment_trains_sr_towards_its_prompt(tmp_path: Path) -> None:
    from gan_engine.losses.clip_alignment import ClipAlignmentLoss, ClipAlignmentParams

    loss = ClipAlignmentLoss(
        ClipAlignmentParams(path=str(write_tiny_open_clip(tmp_path)), channels=[3, 2, 1])
    )
    sr = (torch.rand(2, 4, 12, 12) * 2 - 1).requires_grad_(True)
    context = LossContext(metadata=[{"prompt": "a red roof"}, {"prompt": ""}])
    value = loss(sr, sr, context)
    assert 0 <= float(value) <= 2
    value.backward()
    assert sr.grad is not None
    assert sr.grad[0].abs().sum() > 0
    assert sr.grad[1].abs().sum() == 0  # dropped prompt: no alignment asked
    assert sr.grad[0, 0].abs().sum() == 0  # band 0 is not shown to CLIP
    assert loss.state_dict() == {}  # CLIP is frozen and not checkpointed
    assert list(loss.parameters()) == []
    loss(sr.detach(), sr, context)
    assert list(loss._text) == ["a red roof"]  # text features computed once
    empty = LossContext(metadata=[{"prompt": ""}, {"prompt": ""}])
    assert float(loss(sr.detach(), sr, empty)) == 0.0
    with pytest.raises(ValueError, match=r"context\.metadata"):
        loss(sr, sr, LossContext())
