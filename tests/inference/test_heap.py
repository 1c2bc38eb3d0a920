"""``reused_heap`` sets glibc's malloc to keep freed blocks, and restores it on leaving."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gan_engine.inference import heap
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from tests.inference.models import tiny_srresnet


class RecordingLibc:
    """Stands in for glibc: records ``mallopt`` and ``malloc_trim`` calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", pad, 0))
        return 1


def test_the_heap_is_kept_from_the_first_entry_to_the_last_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    libc = RecordingLibc()
    monkeypatch.setattr(heap, "_glibc", lambda: libc)
    with heap.reused_heap():
        assert libc.calls == [
            ("mallopt", heap.M_MMAP_MAX, 0),
            ("mallopt", heap.M_TRIM_THRESHOLD, heap.KEEP_FREED),
        ]
        with heap.reused_heap():  # re-entrant: nothing changes, nothing is restored
            pass
        assert len(libc.calls) == 2
    assert libc.calls[2:] == [
        ("mallopt", heap.M_MMAP_MAX, heap.DEFAULT_MMAP_MAX),
        ("mallopt", heap.M_TRIM_THRESHOLD, heap.DEFAULT_TRIM_THRESHOLD),
        ("malloc_trim", 0, 0),
    ]
    assert heap._holders.count == 0


def test_the_settings_are_restored_when_the_block_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    libc = RecordingLibc()
    monkeypatch.setattr(heap, "_glibc", lambda: libc)
    with pytest.raises(RuntimeError, match="tile failed"), heap.reused_heap():
        raise RuntimeError("tile failed")
    assert libc.calls[-1] == ("malloc_trim", 0, 0)
    assert heap._holders.count == 0


@pytest.mark.skipif(heap._glibc() is None, reason="glibc only")
def test_glibc_accepts_the_settings() -> None:
    libc = heap._glibc()
    assert libc is not None
    with heap.reused_heap():
        # mallopt returns 1 on success; setting a value already set is accepted again
        assert libc.mallopt(heap.M_MMAP_MAX, 0) == 1
        assert libc.mallopt(heap.M_TRIM_THRESHOLD, heap.KEEP_FREED) == 1


def test_without_glibc_it_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_glibc", lambda: None)
    with heap.reused_heap():
        assert heap._holders.count == 0


@pytest.mark.parametrize("reuse", [True, False])
def test_the_predictor_holds_the_heap_only_while_it_runs(
    reuse: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    model = tiny_srresnet(2, 1, 2)
    forward = model.forward

    def spy(lr: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        seen.append(heap._holders.count)
        return forward(lr, cond)

    monkeypatch.setattr(model, "forward", spy)
    normaliser = MinMaxNormaliser(1, MinMaxParams(minimum=[0.0], maximum=[1.0]))
    # an explicit tile: the default one's memory probe would call the spied forward too
    options = PredictOptions(reuse_memory=reuse, tile=64)
    predictor = Predictor(model, normaliser, options=options)
    predictor.predict(np.random.default_rng(0).random((1, 20, 20), dtype=np.float32))
    expected = 1 if reuse and heap._glibc() is not None else 0
    assert seen == [expected]
    assert heap._holders.count == 0
