"""Collation: tokens padded with their masks, metadata listed and checked, tensors as before."""

from __future__ import annotations

import json

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import default_collate

from gan_engine.data.collate import collate_samples, pad_tokens
from gan_engine.errors import DataError


def _sample(seed: int, length: int, width: int = 4) -> dict[str, object]:
    generator = torch.Generator().manual_seed(seed)
    return {
        "lr": torch.rand(3, 4, 4, generator=generator),
        "hr": torch.rand(3, 8, 8, generator=generator),
        "tokens": torch.rand(length, width, generator=generator) + 1.0,  # never 0: padding is
        "metadata": {"prompt": f"p{seed}", "index": seed, "tags": ["a", None, 1.5]},
    }


@settings(deadline=None, max_examples=20, derandomize=True)
@given(lengths=st.lists(st.integers(1, 6), min_size=1, max_size=4))
def test_tokens_are_padded_to_the_longest_with_a_mask_of_the_real_ones(lengths: list[int]) -> None:
    samples = [_sample(seed, length) for seed, length in enumerate(lengths)]
    batch = collate_samples(samples)
    assert batch["tokens"].shape == (len(lengths), max(lengths), 4)
    assert batch["token_mask"].dtype == torch.bool
    assert batch["token_mask"].sum(dim=1).tolist() == lengths
    for index, sample in enumerate(samples):
        length = lengths[index]
        assert torch.equal(batch["tokens"][index, :length], sample["tokens"])
        assert not batch["tokens"][index, length:].any()
        assert batch["token_mask"][index, :length].all()
    assert torch.equal(batch["lr"], torch.stack([s["lr"] for s in samples]))  # type: ignore[misc]


def test_given_token_masks_are_kept_and_padded_with_false() -> None:
    tokens = [torch.ones(3, 2), torch.ones(1, 2)]
    masks = [torch.tensor([True, True, False]), torch.tensor([True])]
    padded, mask = pad_tokens(tokens, masks)
    assert mask.tolist() == [[True, True, False], [True, False, False]]
    assert padded.shape == (2, 3, 2)
    with pytest.raises(DataError, match=r"token_mask must be \[1\]"):
        pad_tokens(tokens, [masks[0], torch.tensor([True, True])])
    with pytest.raises(DataError, match="one E per batch"):
        pad_tokens([torch.ones(2, 3), torch.ones(2, 4)])


def test_metadata_is_a_list_of_json_able_dicts_one_per_sample() -> None:
    batch = collate_samples([_sample(0, 2), _sample(1, 3)])
    assert batch["metadata"] == [
        {"prompt": "p0", "index": 0, "tags": ["a", None, 1.5]},
        {"prompt": "p1", "index": 1, "tags": ["a", None, 1.5]},
    ]
    assert json.loads(json.dumps(batch["metadata"])) == batch["metadata"]


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"x": torch.ones(1)}, r"sample 1: metadata.x: expected a JSON-able value .* got Tensor"),
        ({"x": [1, float("nan")]}, r"metadata.x\[1\]: nan is not JSON-able"),
        ({1: "a"}, "keys must be strings"),
        ("caption", "metadata must be a dict, got str"),
    ],
)
def test_metadata_that_is_not_json_able_is_refused_naming_where(
    metadata: object, message: str
) -> None:
    samples = [_sample(0, 1), {**_sample(1, 1), "metadata": metadata}]
    with pytest.raises(DataError, match=message):
        collate_samples(samples)


def test_samples_without_conditioning_collate_exactly_as_default_collate() -> None:
    samples = [{"lr": torch.rand(3, 4, 4), "hr": torch.rand(3, 8, 8), "mask": torch.ones(1, 8, 8)}]
    samples.append({k: v + 1 for k, v in samples[0].items()})
    ours, theirs = collate_samples(samples), default_collate(samples)
    assert ours.keys() == theirs.keys()
    assert all(torch.equal(ours[key], theirs[key]) for key in ours)


def test_samples_with_different_keys_are_refused() -> None:
    first = {"lr": torch.ones(1), "hr": torch.ones(1)}
    with pytest.raises(DataError, match="samples 0 and 1 of a batch have different keys: mask"):
        collate_samples([first, {**first, "mask": torch.ones(1)}])


class _PromptSelector:
    """A selector whose samples carry tokens of different lengths and metadata."""

    spatial_dims = 2
    channels = 3
    scale = 2
    data_range = 1.0

    def train_dataset(self) -> list[dict[str, object]]:
        return [_sample(seed, 1 + seed % 3) for seed in range(4)]

    def val_dataset(self) -> list[dict[str, object]]:
        return self.train_dataset()


def test_the_datamodule_loaders_pad_tokens_and_list_metadata() -> None:
    from gan_engine.data.datamodule import SRDataModule

    datamodule = SRDataModule(_PromptSelector(), batch_size=4, val_batch_size=4)  # type: ignore[arg-type]
    for loader in (datamodule.train_dataloader(), datamodule.val_dataloader()):
        batch = next(iter(loader))
        assert batch["tokens"].shape == (4, 3, 4)
        assert sorted(batch["token_mask"].sum(dim=1).tolist()) == [1, 1, 2, 3]
        assert sorted(m["index"] for m in batch["metadata"]) == [0, 1, 2, 3]
