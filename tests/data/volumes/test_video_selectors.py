"""video (clips in a folder, 2D frames or 3D space-time) and the embedded sample_video."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from gan_engine.data.volumes.videos import (
    SampleVideoParams,
    SampleVideoSelector,
    VideoParams,
    VideoSelector,
)
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.registry import DATASETS
from gan_engine.types import BuildContext
from tests.data.modality_files import few_colour_frames, write_gif


def _clips(folder: Path, count: int) -> Path:
    for index in range(count):
        write_gif(folder / f"clip{index}.gif", few_colour_frames(8, 16, 16, seed=index))
    return folder


def _params(root: Path, **overrides: object) -> VideoParams:
    values: dict[str, object] = {
        "root": str(root),
        "patch_size": 8,
        "val_patch_size": 8,
        "samples_per_epoch": 4,
    }
    return VideoParams(**{**values, **overrides})  # type: ignore[arg-type]


def test_2d_takes_frames_one_by_one(tmp_path: Path) -> None:
    selector = DATASETS.get("video").factory(2, 3, 2, _params(_clips(tmp_path / "v", 3)))
    assert isinstance(selector, VideoSelector)
    assert len(selector.train_sources) == 16
    assert len(selector.val_sources) == 8
    assert selector.data_range == 255.0
    assert selector.quantise is True
    item = selector.train_dataset()[0]
    assert item["hr"].shape == (3, 8, 8)
    assert item["lr"].shape == (3, 4, 4)
    assert torch.equal(item["lr"], item["lr"].round())


def test_3d_upscales_time_too(tmp_path: Path) -> None:
    params = _params(_clips(tmp_path / "v", 2), patch_depth=4, val_patch_depth=8, color="gray")
    selector = VideoSelector(3, 1, 2, params)
    item = selector.train_dataset()[1]
    assert item["hr"].shape == (1, 4, 8, 8)
    assert item["lr"].shape == (1, 2, 4, 4)  # half the frames
    assert len(selector.val_dataset()) == 4


def test_bad_input_is_named(tmp_path: Path) -> None:
    root = _clips(tmp_path / "v", 2)
    assert {error.key for error in _params(root).check(BuildContext(2, 1, 2))} == {"color"}
    (root / "clip9.gif").write_bytes(b"GIF89a broken")
    with pytest.raises(DataError, match=r"clip9\.gif"):
        VideoSelector(2, 3, 2, _params(root))
    with pytest.raises(
        DataError,
        match=r"clip0\.gif \(frame 0\) is 16x16, smaller than the training patch of 32x32",
    ):
        VideoSelector(2, 3, 2, _params(_clips(tmp_path / "w", 2), patch_size=32))
    with pytest.raises(InvalidParamError):
        VideoParams(root="x", color="cmyk")  # type: ignore[arg-type]


@pytest.mark.parametrize("dims", [2, 3])
def test_sample_video_holds_out_the_last_frames(dims: int) -> None:
    selector = DATASETS.get("sample_video").factory(dims, 3, 2, SampleVideoParams.tiny())
    assert isinstance(selector, SampleVideoSelector)
    if dims == 2:
        assert len(selector.train_sources) == 18
        assert len(selector.val_sources) == 6
        assert "frames 18-23" in selector.val_sources[0].label
        assert selector.train_dataset()[0]["hr"].shape == (3, 8, 8)
        assert len(selector.val_dataset()) == 6 * 2
    else:
        assert [s.shape for s in selector.train_sources] == [(3, 18, 25, 14)]
        assert [s.shape for s in selector.val_sources] == [(3, 6, 25, 14)]
        assert selector.train_dataset()[0]["hr"].shape == (3, 4, 8, 8)
        tile = selector.val_dataset()[0]
        assert tile["hr"].shape == (3, 6, 12, 12)
        assert tile["lr"].shape == (3, 3, 6, 6)
    assert selector.data_range == 255.0


def test_sample_video_checks() -> None:
    assert SampleVideoParams().check(BuildContext(2, 3, 2)) == []
    assert {e.key for e in SampleVideoParams(color="gray").check(BuildContext(3, 3, 2))} == {
        "color"
    }
    assert SampleVideoSelector(2, 1, 2, SampleVideoParams(color="gray")).channels == 1
    with pytest.raises(DataError, match="leaves no training frames"):
        SampleVideoSelector(2, 3, 2, SampleVideoParams(val_frames=24))
