"""``gan-engine train`` on a folder with a truncated PNG: one line naming it, or skipped and trained."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from containers.cli.main import main


def _folder(tmp_path: Path) -> Path:
    """Four good photos and one PNG cut in half (its header reads, its pixels do not)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a", "c", "d", "e"):
        pixels = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{name}.png")
    whole = (folder / "a.png").read_bytes()
    (folder / "b_truncated.png").write_bytes(whole[: len(whole) // 2])
    return folder


def _train(quickstart: Path, fast: list[str], folder: Path, policy: str) -> int:
    params = (
        f"{{root: '{folder}', patch_size: 32, val_patch_size: 64, val_count: 1, "
        f"samples_per_epoch: 8, unreadable: {policy}}}"
    )
    settings = [*fast, "Data.dataset=rgb_folder", f"Data.params={params}", "Data.num_workers=1"]
    arguments = ["train", str(quickstart)]
    for setting in settings:
        arguments += ["--set", setting]
    return main(arguments)


def test_fail_names_the_file_read_in_a_worker_without_a_traceback(
    quickstart: Path,
    fast_overrides: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = _train(quickstart, fast_overrides, _folder(tmp_path), "fail")
    err = capsys.readouterr().err
    assert code == 2
    assert "error: cannot read image" in err
    assert "b_truncated.png" in err
    assert "Traceback" not in err


def test_skip_trains_and_names_the_file_at_the_end(
    quickstart: Path,
    fast_overrides: list[str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("WARNING"):
        code = _train(quickstart, fast_overrides, _folder(tmp_path), "skip")
    assert code == 0
    assert "skipped" in caplog.text
    assert "b_truncated.png" in caplog.text
