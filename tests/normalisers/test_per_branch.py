"""PerBranchNormaliser: dispatch by branch, state of both sides, fit forwarding (re-iterable)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
import torch
from torch import Tensor

from gan_engine.normalisers.branches import PerBranchNormaliser
from gan_engine.normalisers.scale import (
    FixedScaleNormaliser,
    FixedScaleParams,
    MinMaxNormaliser,
    MinMaxParams,
)
from gan_engine.normalisers.statistics import (
    PercentileNormaliser,
    ZScoreNormaliser,
    ZScoreParams,
)
from gan_engine.protocols import Normaliser
from gan_engine.types import Branch, Sample


def make() -> PerBranchNormaliser:
    lr = FixedScaleNormaliser(2, FixedScaleParams(scale=[10.0]))
    hr = MinMaxNormaliser(2, MinMaxParams(minimum=[0.0], maximum=[100.0]))
    return PerBranchNormaliser(lr, hr)


@pytest.mark.parametrize("dims", [2, 3])
def test_dispatches_by_branch_and_inverts(dims: int) -> None:
    normaliser = make()
    assert isinstance(normaliser, Normaliser)
    x = torch.full((1, 2) + (3,) * dims, 50.0)
    torch.testing.assert_close(normaliser.normalise(x, "lr"), torch.full_like(x, 5.0))
    torch.testing.assert_close(normaliser.normalise(x, "hr"), torch.zeros_like(x))
    for branch in ("lr", "hr"):
        torch.testing.assert_close(
            normaliser.denormalise(normaliser.normalise(x, branch), branch), x
        )


def test_state_dict_holds_both_sides_and_round_trips() -> None:
    source = make()
    assert set(source.state_dict()) == {"lr.shift", "lr.scale", "hr.shift", "hr.scale"}
    target = PerBranchNormaliser(FixedScaleNormaliser(2), MinMaxNormaliser(2))
    target.load_state_dict(source.state_dict())
    x = torch.rand(1, 2, 4, 4) * 100
    for branch in ("lr", "hr"):
        torch.testing.assert_close(target.normalise(x, branch), source.normalise(x, branch))


def test_rejects_unknown_branch() -> None:
    with pytest.raises(ValueError, match="branch"):
        make().normalise(torch.rand(1, 2, 2, 2), "sr")  # type: ignore[arg-type]


class Recording:
    """A plain (non-Module) normaliser that records what fit saw."""

    def __init__(self) -> None:
        self.seen: list[Sample] = []
        self.collections: list[Iterable[Sample]] = []

    def normalise(self, x: Tensor, branch: Branch) -> Tensor:
        return x + 1

    def denormalise(self, x: Tensor, branch: Branch) -> Tensor:
        return x - 1

    def fit(self, samples: Iterable[Sample]) -> None:
        self.collections.append(samples)
        self.seen.extend(samples)


def test_fit_passes_the_same_reiterable_collection_to_both_sides() -> None:
    lr, hr = Recording(), Recording()
    normaliser = PerBranchNormaliser(lr, hr)
    samples: list[Sample] = [{"lr": torch.zeros(1, 2, 2), "hr": torch.ones(1, 4, 4)}] * 3
    normaliser.fit(samples)
    assert len(lr.seen) == 3
    assert len(hr.seen) == 3
    assert lr.collections == [samples]  # the collection itself, not a copy in memory
    assert hr.collections == [samples]
    # Plain objects are kept as attributes, not submodules, and carry no state.
    assert dict(normaliser.state_dict()) == {}
    assert torch.equal(normaliser.normalise(torch.zeros(1, 1, 1, 1), "hr"), torch.ones(1, 1, 1, 1))


def test_fit_refuses_a_one_shot_iterator() -> None:
    lr, hr = Recording(), Recording()
    samples: list[Sample] = [{"lr": torch.zeros(1, 2, 2), "hr": torch.ones(1, 4, 4)}]
    with pytest.raises(TypeError, match="re-iterable") as caught:
        PerBranchNormaliser(lr, hr).fit(iter(samples))
    assert "PerBranchNormaliser" in str(caught.value)
    assert lr.seen == []


def test_fit_reaches_fitted_sides_and_their_statistics_travel() -> None:
    generator = torch.Generator().manual_seed(0)
    samples: list[Sample] = [
        {
            "lr": torch.rand(2, 4, 4, generator=generator),
            "hr": torch.rand(2, 8, 8, generator=generator) * 9,
        }
        for _ in range(3)
    ]
    params = ZScoreParams(statistics="per_branch")
    source = PerBranchNormaliser(ZScoreNormaliser(2, params), PercentileNormaliser(2))
    source.fit(samples)
    restored = PerBranchNormaliser(ZScoreNormaliser(2, params), PercentileNormaliser(2))
    restored.load_state_dict(source.state_dict())
    x = torch.rand(1, 2, 4, 4, generator=generator)
    for branch in ("lr", "hr"):
        torch.testing.assert_close(restored.normalise(x, branch), source.normalise(x, branch))
    hr = torch.cat([s["hr"].reshape(2, -1) for s in samples], dim=1).double()
    lr = torch.cat([s["lr"].reshape(2, -1) for s in samples], dim=1).double()
    # The LR side standardises LR with LR's own statistics.
    torch.testing.assert_close(source.lr.shift[0].double(), lr.mean(dim=1), rtol=1e-6, atol=1e-6)
    assert not torch.allclose(source.lr.shift[0].double(), hr.mean(dim=1))
