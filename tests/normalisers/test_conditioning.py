"""Conditioning normalisation: l2 and zscore per vector, padding kept at zero, masks untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from containers.spec.loader import load_spec
from containers.spec.problems import SpecError
from gan_engine.errors import InvalidParamError
from gan_engine.normalisers.conditioning import ConditioningNormalisation, EmbeddingNormalisation

QUICKSTART = Path(__file__).resolve().parents[2] / "specs" / "quickstart.yaml"


@settings(deadline=None, max_examples=20, derandomize=True)
@given(seed=st.integers(0, 2**16), batch=st.integers(1, 3), tokens=st.integers(1, 5))
def test_l2_gives_unit_vectors_and_keeps_padding_zero(seed: int, batch: int, tokens: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, tokens, 6, generator=generator) + 0.1
    valid = torch.ones(batch, tokens, dtype=torch.bool)
    valid[:, tokens // 2 + 1 :] = False
    out = EmbeddingNormalisation(method="l2").apply(x, valid)
    norms = out.norm(dim=-1)
    assert torch.allclose(norms[valid], torch.ones(()), atol=1e-5)
    assert not out[~valid].any()


def test_zscore_uses_the_given_statistics_per_feature() -> None:
    method = EmbeddingNormalisation(method="zscore", mean=[1.0, -2.0], std=[2.0, 0.5])
    out = method.apply(torch.tensor([[3.0, -1.0], [1.0, -2.0]]))
    assert out.tolist() == [[1.0, 2.0], [0.0, 0.0]]
    with pytest.raises(ValueError, match="2 features, the embedding has 3"):
        method.apply(torch.zeros(1, 3))


def test_a_batch_without_conditioning_comes_back_unchanged() -> None:
    batch = {"lr": torch.ones(1, 3, 2, 2), "holes": torch.ones(1, 1, 2, 2)}
    assert ConditioningNormalisation()(batch) is batch
    l2 = ConditioningNormalisation(embedding=EmbeddingNormalisation(method="l2"))
    assert l2(batch) is batch  # hole masks are never normalised
    normalised = l2({**batch, "embedding": torch.tensor([[3.0, 4.0]])})
    assert torch.allclose(normalised["embedding"], torch.tensor([[0.6, 0.8]]))
    assert normalised["holes"] is batch["holes"]


@pytest.mark.parametrize(
    ("kwargs", "key", "message"),
    [
        ({"method": "zscore", "mean": [0.0]}, "std", "needs mean and std"),
        ({"method": "l2", "mean": [0.0]}, "mean", "only used by method zscore"),
        ({"method": "zscore", "mean": [0.0], "std": [-1.0]}, "std", "must be > 0"),
        ({"method": "zscore", "mean": [0.0], "std": [1.0, 1.0]}, "std", "mean has 1"),
    ],
)
def test_inconsistent_statistics_are_refused(
    kwargs: dict[str, object], key: str, message: str
) -> None:
    with pytest.raises(InvalidParamError, match=message) as caught:
        EmbeddingNormalisation(**kwargs)  # type: ignore[arg-type]
    assert caught.value.key == key


def test_the_spec_section_is_validated_with_positions() -> None:
    spec = load_spec(QUICKSTART, ["Normalisation.conditioning={embedding: {method: l2}}"])
    assert spec.Normalisation.conditioning.embedding.method == "l2"
    assert load_spec(QUICKSTART).Normalisation.conditioning == ConditioningNormalisation()
    bad = "Normalisation.conditioning={tokens: {method: zscore, mean: [1.0]}, holes: {}}"
    with pytest.raises(SpecError) as caught:
        load_spec(QUICKSTART, [bad])
    text = str(caught.value)
    assert "Normalisation.conditioning.tokens.std: method zscore needs mean and std" in text
    assert "Normalisation.conditioning: unknown key 'holes'" in text
