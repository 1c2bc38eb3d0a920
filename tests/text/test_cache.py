"""Frozen encoders compute each distinct prompt once: never again per step."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from unittest import mock

import pytest
import torch
from torch import Tensor

from gan_engine.errors import WeightsNotFoundError
from gan_engine.open_clip_checkpoint import MissingTextExtraError
from gan_engine.text.cache import PromptCache
from tests.text.open_clip_fixture import write_tiny_open_clip


class FakeEncoder:
    """Counts calls; prompt ``p`` → embedding ``[len(p)] * 3`` and ``len(p)`` tokens of width 2."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, prompts: Sequence[str]) -> list[tuple[Tensor, Tensor]]:
        self.seen.extend(prompts)
        assert not torch.is_grad_enabled()
        return [(torch.full((3,), float(len(p))), torch.ones(len(p), 2)) for p in prompts]


def test_each_prompt_is_computed_once() -> None:
    fake = FakeEncoder()
    cache = PromptCache(fake, token_dim=2)
    for _ in range(5):  # five "steps" over the same corpus
        cond = cache.encode(["ab", "", "ab", "abcd"], torch.device("cpu"))
    assert fake.seen == ["ab", "", "abcd"]
    assert cache.computed == 3
    assert len(cache) == 3
    assert cond.embedding is not None
    assert cond.token_mask is not None
    assert cond.embedding[:, 0].tolist() == [2.0, 0.0, 2.0, 4.0]
    assert cond.token_mask.sum(1).tolist() == [2, 0, 2, 4]
    cache.encode(["new"], torch.device("cpu"))
    assert fake.seen[-1] == "new"
    assert cache.computed == 4


def test_open_clip_encoder_caches_per_prompt(tmp_path: Path) -> None:
    from gan_engine.text.open_clip_encoder import OpenClipParams, OpenClipTextEncoder

    encoder = OpenClipTextEncoder(OpenClipParams(path=str(write_tiny_open_clip(tmp_path))))
    with mock.patch.object(encoder, "_compute", wraps=encoder._compute) as compute:
        encoder.cache._compute = compute
        for _ in range(3):
            encoder.encode(["a cat", "a dog", "a cat"])
    assert compute.call_count == 1
    assert list(compute.call_args.args[0]) == ["a cat", "a dog"]
    assert not encoder.trainable
    assert list(encoder.parameters()) == []
    assert encoder.state_dict() == {}  # the frozen model never enters checkpoints


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (lambda folder: None, "checkpoint folder not found"),
        (lambda folder: folder.mkdir(), "has no open_clip_config.json"),
        (
            lambda folder: (folder.mkdir(), (folder / "open_clip_config.json").write_text("{}")),
            "holds no weights file",
        ),
    ],
)
def test_missing_checkpoint_parts_are_named(tmp_path: Path, prepare: object, message: str) -> None:
    from gan_engine.text.open_clip_encoder import OpenClipParams, OpenClipTextEncoder

    folder = tmp_path / "clip"
    prepare(folder)  # type: ignore[operator]
    with pytest.raises(WeightsNotFoundError, match=message) as caught:
        OpenClipTextEncoder(OpenClipParams(path=str(folder)))
    assert str(folder) in str(caught.value)


def test_missing_open_clip_names_the_extra_and_the_path(tmp_path: Path) -> None:
    from gan_engine.text.open_clip_encoder import OpenClipParams, OpenClipTextEncoder

    folder = tmp_path / "clip"
    folder.mkdir()
    (folder / "open_clip_config.json").write_text("{}")
    (folder / "open_clip_model.safetensors").write_bytes(b"")
    with (
        mock.patch.dict("sys.modules", {"open_clip": None}),
        pytest.raises(MissingTextExtraError, match=r"gan-engine\[text\]") as caught,
    ):
        OpenClipTextEncoder(OpenClipParams(path=str(folder)))
    assert str(folder) in str(caught.value)
