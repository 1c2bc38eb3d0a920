"""Videos (GIF and MP4) through the Predictor's file path: frame by frame for 2D models."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from containers.cli.main import main


def _clip(path: Path, frames: int = 5, height: int = 16, width: int = 16) -> np.ndarray:
    # 16 px: MP4 encoders pad frames to 16-px macroblocks
    rng = np.random.default_rng(0)
    clip = rng.integers(0, 256, (frames, height, width, 3), dtype=np.uint8)
    if path.suffix == ".gif":
        iio.imwrite(path, clip, extension=".gif", duration=80, loop=0)
    else:
        iio.imwrite(path, clip, extension=path.suffix, fps=10)
    return clip


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_a_video_is_super_resolved_frame_by_frame_in_its_own_container(
    checkpoint: Path, tmp_path: Path, suffix: str
) -> None:
    source = tmp_path / f"clip{suffix}"
    clip = _clip(source)
    out = tmp_path / "out"
    args = ["predict", str(checkpoint), str(source), "--out", str(out), "--no-progress"]
    assert main([*args, "--accelerator", "cpu"]) == 0
    result = iio.imread(out / source.name, index=None)
    decoded = iio.imread(source, index=None)
    assert len(decoded) == len(clip)
    assert result.shape[:3] == (len(decoded), 4 * decoded.shape[1], 4 * decoded.shape[2])
    if suffix == ".gif":
        assert iio.immeta(out / source.name)["duration"] == iio.immeta(source)["duration"]


def test_an_unreadable_video_is_named(checkpoint: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    assert main(["predict", str(checkpoint), str(broken), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "cannot read video" in err
    assert "broken.mp4" in err
    assert not (tmp_path / "o" / "broken.mp4").exists()
