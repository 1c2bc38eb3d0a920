"""PerBranchNormaliser: dispatch by branch, state of both sides, fit forwarding."""

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

    def normalise(self, x: Tensor, branch: Branch) -> Tensor:
        return x + 1

    def denormalise(self, x: Tensor, branch: Branch) -> Tensor:
        return x - 1

    def fit(self, samples: Iterable[Sample]) -> None:
        self.seen.extend(samples)


def test_fit_forwards_every_sample_to_both_sides_even_from_an_iterator() -> None:
    lr, hr = Recording(), Recording()
    normaliser = PerBranchNormaliser(lr, hr)
    samples: list[Sample] = [{"lr": torch.zeros(1, 2, 2), "hr": torch.ones(1, 4, 4)}] * 3
    normaliser.fit(iter(samples))
    assert len(lr.seen) == 3
    assert len(hr.seen) == 3
    # Plain objects are kept as attributes, not submodules, and carry no state.
    assert dict(normaliser.state_dict()) == {}
    assert torch.equal(normaliser.normalise(torch.zeros(1, 1, 1, 1), "hr"), torch.ones(1, 1, 1, 1))
