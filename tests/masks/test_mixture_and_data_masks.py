"""The mixture (probabilities validated at build time), masks from the data and fixed validation masks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gan_engine.errors import DataError, InvalidParamError
from gan_engine.masks.choice import MaskChoice
from gan_engine.masks.from_data import NodataHoles
from gan_engine.masks.mixture import Mixture, MixtureMember, MixtureParams
from gan_engine.masks.shapes import Boxes
from gan_engine.masks.validation import validation_holes
from gan_engine.types import Sample


def member(name: str, probability: float, **params: object) -> MixtureMember:
    return MixtureMember(name=name, probability=probability, params=dict(params))


def test_mixture_draws_members_with_their_probabilities() -> None:
    # stripes cover whole rows or columns, boxes do not: count which member drew each mask
    params = MixtureParams(
        members=[
            member("stripes", 0.25, hole_ratio=[0.25, 0.25], period=[4, 4], axis=0),
            member("boxes", 0.75, hole_ratio=[0.1, 0.1], size=[0.25, 0.25]),
        ]
    )
    mixture = Mixture(params)
    rng = np.random.default_rng(0)
    stripes = 0
    for _ in range(400):
        holes = mixture((16, 16), rng)[0]
        stripes += int(bool((holes.amin(dim=1) == 1).any()))
    assert 70 <= stripes <= 130  # 25 % of 400, about 4.3 standard deviations either side


def test_mixture_is_deterministic_per_seed() -> None:
    mixture = Mixture()
    first = [mixture((12, 12), np.random.default_rng(seed)) for seed in range(5)]
    again = [mixture((12, 12), np.random.default_rng(seed)) for seed in range(5)]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))


def test_probabilities_must_sum_to_one() -> None:
    with pytest.raises(
        InvalidParamError, match=r"sum to 1.*0\.5 \(boxes\) \+ 0\.4 \(strokes\)"
    ) as caught:
        MixtureParams(members=[member("boxes", 0.5), member("strokes", 0.4)])
    assert caught.value.key == "members"


@pytest.mark.parametrize(
    ("members", "key", "message"),
    [
        ([member("boxe", 1.0)], "members.0.name", "did you mean 'boxes'"),
        ([member("mixture", 1.0)], "members.0.name", "cannot contain another mixture"),
        ([member("boxes", 1.5)], "members.0.probability", r"\[0, 1\]"),
        (
            [member("boxes", 1.0, hole_ratio=[0.4, 0.1])],
            "members.0.params.hole_ratio",
            "low <= high",
        ),
        (
            [member("boxes", 1.0, sizes=[0.1, 0.2])],
            "members.0.params",
            "boxes takes: hole_ratio, size",
        ),
        ([], "members", "non-empty"),
    ],
)
def test_bad_members_name_the_key(members: list[MixtureMember], key: str, message: str) -> None:
    with pytest.raises(InvalidParamError, match=message) as caught:
        MixtureParams(members=members)
    assert caught.value.key == key


def sample_with_mask(valid: torch.Tensor) -> Sample:
    shape = valid.shape[1:]
    return {"lr": torch.zeros(1, *shape), "hr": torch.zeros(1, *shape), "mask": valid}


@pytest.mark.parametrize("shape", [(8, 12), (4, 8, 8)])
def test_nodata_holes_are_the_invalid_pixels(shape: tuple[int, ...]) -> None:
    valid = (torch.rand(1, *shape, generator=torch.Generator().manual_seed(1)) > 0.3).float()
    holes = NodataHoles()(shape, np.random.default_rng(0), sample_with_mask(valid))
    assert torch.equal(holes, 1.0 - valid)


def test_nodata_holes_shrink_by_max_and_grow_by_nearest() -> None:
    valid = torch.ones(1, 8, 8)
    valid[0, 3, 5] = 0.0
    small = NodataHoles()((4, 4), np.random.default_rng(0), sample_with_mask(valid))
    assert small[0, 1, 2] == 1.0  # the 2x2 block with the nodata pixel
    assert small.sum() == 1.0
    large = NodataHoles()((16, 16), np.random.default_rng(0), sample_with_mask(valid))
    assert large.sum() == 4.0
    assert large[0, 6:8, 10:12].all()


def test_nodata_errors_are_clear() -> None:
    with pytest.raises(DataError, match="gives none"):
        NodataHoles()((8, 8), np.random.default_rng(0), None)
    with pytest.raises(DataError, match="every pixel of the sample is nodata"):
        NodataHoles()((8, 8), np.random.default_rng(0), sample_with_mask(torch.zeros(1, 8, 8)))
    with pytest.raises(DataError, match="no integer multiple"):
        NodataHoles()((5, 5), np.random.default_rng(0), sample_with_mask(torch.ones(1, 8, 8)))


def test_validation_holes_are_fixed_by_seed_and_index() -> None:
    boxes = Boxes()
    first = [validation_holes(boxes, (16, 16), index, seed=7) for index in range(4)]
    again = [validation_holes(boxes, (16, 16), index, seed=7) for index in range(4)]
    other = [validation_holes(boxes, (16, 16), index, seed=8) for index in range(4)]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True))
    assert not torch.equal(first[0], first[1])


def test_mask_choice_builds_its_generator_and_names_bad_keys() -> None:
    choice = MaskChoice(
        name="stripes", params={"axis": 0, "hole_ratio": [0.25, 0.25], "period": [4, 4]}
    )
    holes = choice.build()((8, 8), np.random.default_rng(0))
    assert holes.sum() == 16.0  # two whole rows of 8
    with pytest.raises(InvalidParamError, match="did you mean 'strokes'") as caught:
        MaskChoice(name="stroke")
    assert caught.value.key == "name"
    with pytest.raises(InvalidParamError) as caught:
        MaskChoice(name="boxes", params={"hole_ratio": [0.5]})
    assert caught.value.key == "params.hole_ratio"
