"""Samples with holes: masks keyed by (seed, epoch, index) for training, (seed, index) for validation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
import torch
from torch import Tensor
from torch.utils.data import Dataset

from gan_engine.data.holes.samples import HoleSamples, HoleSelector
from gan_engine.errors import DataError
from gan_engine.masks.shapes import Boxes
from gan_engine.masks.validation import validation_holes
from gan_engine.protocols import DatasetSelector
from gan_engine.types import Sample


class Plain(Dataset[Sample]):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.epochs: list[int] = []

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> Sample:
        return {"lr": torch.full((2, *self.shape), float(index)), "hr": torch.zeros(2, *self.shape)}

    def set_epoch(self, epoch: int) -> None:
        self.epochs.append(epoch)


@pytest.mark.parametrize("shape", [(16, 16), (6, 8, 8)])
def test_training_masks_change_by_epoch_and_repeat_exactly(shape: tuple[int, ...]) -> None:
    inner = Plain(shape)
    data = HoleSamples(inner, Boxes(), seed=3, fixed=False)
    first = [data[i]["holes"] for i in range(4)]
    assert torch.equal(data[2]["lr"], inner[2]["lr"])
    assert all(h.shape == (1, *shape) for h in first)
    assert not torch.equal(first[0], first[1])
    data.set_epoch(1)
    assert inner.epochs == [1]
    second = [data[i]["holes"] for i in range(4)]
    assert not all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    data.set_epoch(0)
    assert all(torch.equal(a, data[i]["holes"]) for i, a in enumerate(first))


def test_validation_masks_are_the_fixed_ones() -> None:
    data = HoleSamples(Plain((16, 16)), Boxes(), seed=5, fixed=True)
    before = [data[i]["holes"] for i in range(4)]
    data.set_epoch(7)
    assert all(torch.equal(a, data[i]["holes"]) for i, a in enumerate(before))
    assert torch.equal(before[2], validation_holes(Boxes(), (16, 16), 2, seed=5))


class Broken:
    name = "broken"

    def __init__(self, holes: Tensor) -> None:
        self.holes = holes

    def __call__(
        self, shape: Sequence[int], rng: np.random.Generator, sample: Sample | None = None
    ) -> Tensor:
        return self.holes


def test_wrong_or_full_masks_are_refused() -> None:
    with pytest.raises(DataError, match=r"shape \(1, 8, 8\) for an input of shape \(2, 16, 16\)"):
        HoleSamples(Plain((16, 16)), Broken(torch.zeros(1, 8, 8)), 0, fixed=True)[0]
    with pytest.raises(DataError, match="every pixel of sample 0"):
        HoleSamples(Plain((16, 16)), Broken(torch.ones(1, 16, 16)), 0, fixed=True)[0]


class Selector:
    spatial_dims = 2
    channels = 2
    scale = 1
    data_range = 255.0

    def train_dataset(self) -> Dataset[Sample]:
        return Plain((16, 16))

    def val_dataset(self) -> Dataset[Sample]:
        return Plain((16, 16))


def test_hole_selector_wraps_both_splits() -> None:
    selector = HoleSelector(Selector(), Boxes(), seed=2)
    assert isinstance(selector, DatasetSelector)
    assert (selector.channels, selector.scale, selector.data_range) == (2, 1, 255.0)
    train, val = selector.train_dataset(), selector.val_dataset()
    assert isinstance(train, HoleSamples)
    assert isinstance(val, HoleSamples)
    assert not train.fixed
    assert val.fixed
    assert torch.equal(val[1]["holes"], validation_holes(Boxes(), (16, 16), 1, seed=2))
