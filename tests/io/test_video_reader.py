"""Video files as [C, T, H, W] sources: GIF frames, colour, cached and on-demand reads, errors."""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from gan_engine.data.files import sample_photos_folder
from gan_engine.data.sources import full_box
from gan_engine.errors import DataError
from gan_engine.io.video import VideoSource
from tests.data.modality_files import few_colour_frames, write_gif


def test_gif_frames_are_the_depth_axis(tmp_path: Path) -> None:
    frames = few_colour_frames(5, 9, 7, seed=0)
    source = VideoSource(write_gif(tmp_path / "clip.gif", frames))
    assert source.shape == (3, 5, 9, 7)
    assert source.dtype == np.uint8
    np.testing.assert_array_equal(source.read(full_box(source.shape)), frames.transpose(3, 0, 1, 2))
    window = source.read(((1, 3), (2, 6), (0, 4)))
    np.testing.assert_array_equal(window, frames[1:3, 2:6, 0:4].transpose(3, 0, 1, 2))


def test_cached_and_on_demand_reads_agree(tmp_path: Path) -> None:
    path = write_gif(tmp_path / "clip.gif", few_colour_frames(6, 8, 8, seed=1))
    cached, lazy = VideoSource(path, cache=True), VideoSource(path)
    for box in [((0, 6), (0, 8), (0, 8)), ((2, 5), (1, 7), (3, 8))]:
        np.testing.assert_array_equal(cached.read(box), lazy.read(box))
    clone = pickle.loads(pickle.dumps(cached))
    assert clone._frames is None
    np.testing.assert_array_equal(
        clone.read(((4, 6), (0, 8), (0, 8))), lazy.read(((4, 6), (0, 8), (0, 8)))
    )


def test_gray_is_luma_and_gray_videos_repeat_to_rgb(tmp_path: Path) -> None:
    frames = few_colour_frames(3, 5, 5, seed=2)
    gray = VideoSource(write_gif(tmp_path / "c.gif", frames), "gray")
    assert gray.shape == (1, 3, 5, 5)
    expected = (frames.astype(np.int64) @ np.array([299, 587, 114]) + 500) // 1000
    np.testing.assert_array_equal(gray.read(full_box(gray.shape))[0], expected)
    levels = np.random.default_rng(0).integers(0, 256, (3, 5, 5), dtype=np.uint8)
    rgb = VideoSource(write_gif(tmp_path / "g.gif", levels), "rgb")
    whole = rgb.read(full_box(rgb.shape))
    assert whole.shape == (3, 3, 5, 5)
    np.testing.assert_array_equal(whole[0], levels)
    np.testing.assert_array_equal(whole[2], levels)


def test_the_scikit_image_gif() -> None:
    path = sample_photos_folder() / "no_time_for_that_tiny.gif"
    source = VideoSource(path, cache=True)
    assert source.shape == (3, 24, 25, 14)
    np.testing.assert_array_equal(
        source.read(full_box(source.shape)), iio.imread(path, index=None).transpose(3, 0, 1, 2)
    )


def test_unreadable_videos_name_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gif"
    junk.write_bytes(b"GIF89a" + b"\x00" * 40)
    with pytest.raises(DataError, match=r"junk\.gif"):
        VideoSource(junk)
    movie = tmp_path / "movie.mp4"
    movie.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    with pytest.raises(DataError, match=r"movie\.mp4"):
        VideoSource(movie)


def test_an_unreadable_movie_without_a_backend_says_which_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec

    def without_backends(name: str, *args: object) -> object:
        return None if name in ("imageio_ffmpeg", "av") else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_backends)
    movie = tmp_path / "movie.mp4"
    movie.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    with pytest.raises(DataError, match=r"movie\.mp4.*pip install imageio-ffmpeg"):
        VideoSource(movie)


def test_mp4_frames_are_counted_and_read(tmp_path: Path) -> None:
    frames = np.zeros((4, 16, 16, 3), dtype=np.uint8)
    iio.imwrite(tmp_path / "clip.mp4", frames, extension=".mp4")
    source = VideoSource(tmp_path / "clip.mp4")
    assert source.shape == (3, 4, 16, 16)
