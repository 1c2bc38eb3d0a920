"""The built-in multispectral scenes: deterministic files, georeferencing, nodata, and the selector."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gan_engine.data.rasters.files import probe_raster, read_window
from gan_engine.data.rasters.sample_geotiffs import (
    NODATA,
    default_cache_folder,
    nodata_corner,
    write_sample_geotiffs,
)
from gan_engine.data.rasters.selectors import (
    SampleMultispectralParams,
    SampleMultispectralSelector,
)
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.types import BuildContext

REPO = Path(__file__).resolve().parents[3]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_script_writes_deterministic_georeferenced_scenes(tmp_path: Path) -> None:
    script = REPO / "scripts" / "make_sample_geotiff.py"
    for folder in ("one", "two"):
        result = subprocess.run(
            [sys.executable, str(script), str(tmp_path / folder), "--photos", "chelsea"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(tmp_path / folder / "chelsea.tif")
    first, second = tmp_path / "one" / "chelsea.tif", tmp_path / "two" / "chelsea.tif"
    assert digest(first) == digest(second)
    header = probe_raster(first)
    assert (header.bands, header.dtype, header.crs, header.nodata) == (
        4,
        "uint16",
        "EPSG:32633",
        0.0,
    )
    assert header.transform is not None
    assert header.transform[0] == 10.0
    pixels = read_window(header, header.full_window())
    corner = nodata_corner(header.height, header.width)
    assert bool((pixels[:, corner] == NODATA).all())
    valid = pixels[:, ~corner]
    assert valid.min() >= 1
    assert valid.max() <= 10000
    # The synthetic NIR band is not a copy of a visible band.
    assert not any(np.array_equal(pixels[3], pixels[band]) for band in range(3))


def test_script_rejects_unknown_photos(tmp_path: Path) -> None:
    script = REPO / "scripts" / "make_sample_geotiff.py"
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path), "--photos", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown sample photos ['nope']" in result.stderr
    with pytest.raises(DataError, match="unknown sample photos"):
        write_sample_geotiffs(tmp_path, ["nope"])


def test_selector_builds_from_the_cache(sample_cache: Path) -> None:
    params = SampleMultispectralParams(
        cache_dir=str(sample_cache), patch_size=32, val_patch_size=64, samples_per_epoch=2
    )
    selector = SampleMultispectralSelector(2, 4, 2, params)
    assert selector.data_range == 10000.0
    assert sorted(s.hr.path.stem for s in selector.val_scenes) == ["chelsea", "coffee"]
    assert len(selector.train_scenes) >= 3
    before = {path.name: path.stat().st_mtime_ns for path in sample_cache.glob("*.tif")}
    sample = selector.train_dataset()[0]
    assert sample["hr"].shape == (4, 32, 32)
    assert float(sample["mask"].mean()) >= params.min_valid_fraction
    # A second selector reuses the files instead of writing them again.
    SampleMultispectralSelector(2, 4, 2, params)
    after = {path.name: path.stat().st_mtime_ns for path in sample_cache.glob("*.tif")}
    assert before == after
    assert not list(sample_cache.glob(".*.tmp.tif"))


def test_params_check_channels_and_names() -> None:
    errors = SampleMultispectralParams().check(BuildContext(spatial_dims=2, channels=3, scale=2))
    assert [e.key for e in errors] == ["channels"]
    with pytest.raises(InvalidParamError) as caught:
        SampleMultispectralParams(val_scenes=["nope"])
    assert caught.value.key == "val_scenes"


def test_default_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_folder().parent == tmp_path / "gan-engine"
