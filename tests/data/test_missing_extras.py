"""Readers whose library is missing fail with a DataError naming the extra to install."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from gan_engine.data.volumes.mri import SampleMRISelector
from gan_engine.errors import DataError, GanEngineError
from gan_engine.io.nifti import NiftiSource
from gan_engine.io.optional import MissingExtraError
from gan_engine.io.tiff import TiffStackSource
from gan_engine.io.video import VideoSource
from gan_engine.registry import DATASETS


@pytest.mark.parametrize(
    ("modules", "build", "message"),
    [
        (
            ["nibabel"],
            lambda path: NiftiSource(path / "scan.nii"),
            "NIfTI support needs the 'medical' extra: pip install 'gan-engine[medical]'",
        ),
        (
            ["tifffile"],
            lambda path: TiffStackSource(path / "stack.tif"),
            "TIFF stack support needs the 'microscopy' extra: pip install 'gan-engine[microscopy]'",
        ),
        (
            ["imageio", "imageio.v3"],
            lambda path: VideoSource(path / "clip.gif"),
            "Video support needs the 'video' extra: pip install 'gan-engine[video]'",
        ),
        (
            ["nibabel"],
            lambda path: SampleMRISelector(3, 1, 2),
            "The sample_mri dataset needs the 'medical' extra",
        ),
    ],
)
def test_missing_library_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, modules: list[str], build, message: str
) -> None:
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    with pytest.raises(MissingExtraError) as caught:
        build(tmp_path)
    assert message in str(caught.value)
    assert isinstance(caught.value, DataError)
    assert isinstance(caught.value, GanEngineError)
    assert isinstance(caught.value, ImportError)


def test_the_data_package_imports_without_the_extras(monkeypatch: pytest.MonkeyPatch) -> None:
    names = [
        "gan_engine.io.nifti",
        "gan_engine.io.tiff",
        "gan_engine.io.video",
        "gan_engine.data.volumes.mri",
        "gan_engine.data.volumes.microscopy",
        "gan_engine.data.volumes.videos",
    ]
    for name in names:
        importlib.import_module(name)  # so that the originals come back after the test
    for module in ("nibabel", "tifffile", "imageio", "imageio.v3"):
        monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    for name in names:
        monkeypatch.delitem(sys.modules, name)
    # Fresh modules register fresh classes: give them an empty copy of the registry to fill.
    ours = {"medical_mri", "sample_mri", "microscopy", "sample_microscopy", "video", "sample_video"}
    kept = {name: entry for name, entry in DATASETS._entries.items() if name not in ours}
    monkeypatch.setattr(DATASETS, "_entries", kept)
    for name in names:
        assert importlib.import_module(name).__name__ == name
    assert ours <= set(DATASETS._entries)
