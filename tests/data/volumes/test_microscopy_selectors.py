"""microscopy (TIFF stacks, 2D pages or 3D volumes) and the embedded sample_microscopy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gan_engine.data.volumes.microscopy import (
    MicroscopyParams,
    MicroscopySelector,
    SampleMicroscopyParams,
    SampleMicroscopySelector,
)
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.registry import DATASETS
from gan_engine.types import BuildContext
from tests.data.modality_files import write_tiff


def _stacks(
    folder: Path, count: int, shape: tuple[int, ...], axes: str, dtype: type = np.uint16
) -> Path:
    rng = np.random.default_rng(0)
    for index in range(count):
        write_tiff(folder / f"stack{index}.tif", rng.integers(0, 4096, shape).astype(dtype), axes)
    return folder


def _params(root: Path, **overrides: object) -> MicroscopyParams:
    values: dict[str, object] = {
        "root": str(root),
        "patch_size": 8,
        "val_patch_size": 8,
        "samples_per_epoch": 4,
    }
    return MicroscopyParams(**{**values, **overrides})  # type: ignore[arg-type]


def test_3d_stacks_are_volumes(tmp_path: Path) -> None:
    root = _stacks(tmp_path / "stacks", 3, (8, 12, 16), "ZYX")
    selector = DATASETS.get("microscopy").factory(
        3, 1, 2, _params(root, patch_depth=4, val_patch_depth=8)
    )
    assert isinstance(selector, MicroscopySelector)
    assert selector.data_range == 65535.0
    assert selector.quantise is True
    item = selector.train_dataset()[0]
    assert item["hr"].shape == (1, 4, 8, 8)
    assert item["lr"].shape == (1, 2, 4, 4)
    assert float(item["hr"].max()) <= 4095.0
    assert len(selector.val_dataset()) == 1 * 1 * 2


def test_2d_uses_every_page_as_an_image(tmp_path: Path) -> None:
    root = _stacks(tmp_path / "stacks", 2, (5, 2, 12, 16), "ZCYX")
    selector = MicroscopySelector(2, 2, 2, _params(root, data_range=4095.0))
    assert len(selector.train_sources) == 5
    assert len(selector.val_sources) == 5
    assert selector.train_sources[4].label.endswith("stack0.tif (page 4)")
    assert selector.data_range == 4095.0
    item = selector.train_dataset()[3]
    assert item["hr"].shape == (2, 8, 8)
    assert item["lr"].shape == (2, 4, 4)
    assert len(selector.val_dataset()) == 5 * 1 * 2


def test_float_stacks_need_a_range(tmp_path: Path) -> None:
    root = tmp_path / "float"
    for index in range(2):
        write_tiff(
            root / f"{index}.tif", np.random.default_rng(index).random((16, 16), dtype=np.float32)
        )
    with pytest.raises(DataError, match=r"0\.tif stores float32 values.*data_range"):
        MicroscopySelector(2, 1, 2, _params(root))
    selector = MicroscopySelector(2, 1, 2, _params(root, data_range=1.0))
    assert selector.quantise is False
    assert float(selector.val_dataset()[0]["hr"].max()) <= 1.0


def test_bad_input_is_named(tmp_path: Path) -> None:
    root = _stacks(tmp_path / "rgb", 2, (4, 3, 12, 12), "ZCYX")
    with pytest.raises(DataError, match=r"stack0\.tif has 3 channel\(s\), the run has channels=1"):
        MicroscopySelector(3, 1, 2, _params(root, patch_depth=4, val_patch_depth=4))
    with pytest.raises(
        DataError, match=r"stack0\.tif is 4x12x12, smaller than the training patch of 8x8x8"
    ):
        MicroscopySelector(3, 3, 2, _params(root))
    mixed = _stacks(tmp_path / "mixed", 1, (16, 16), "YX", np.uint8)
    _stacks(tmp_path / "mixed16", 1, (16, 16), "YX")
    with pytest.raises(DataError, match="data range"):
        MicroscopySelector(2, 1, 2, _params(mixed, val_root=str(tmp_path / "mixed16")))
    with pytest.raises(InvalidParamError) as caught:
        MicroscopySelector(2, 1, 2, _params(tmp_path / "empty"))
    assert caught.value.key == "root"


def test_sample_microscopy_splits_cell_png_by_columns() -> None:
    selector = DATASETS.get("sample_microscopy").factory(2, 1, 2, SampleMicroscopyParams.tiny())
    assert isinstance(selector, SampleMicroscopySelector)
    (train,), (val,) = selector.train_sources, selector.val_sources
    assert "cell.png" in train.label
    assert "columns 0-421" in train.label
    assert train.shape == (1, 660, 422)
    assert val.shape == (1, 660, 128)
    assert selector.data_range == 255.0
    assert len(selector.val_dataset()) == 10 * 2
    item = selector.train_dataset()[0]
    assert item["hr"].shape == (1, 16, 16)
    assert item["lr"].shape == (1, 8, 8)
    errors = SampleMicroscopyParams().check(BuildContext(3, 3, 2))
    assert {"spatial_dims", "channels"} <= {error.key for error in errors}
    with pytest.raises(DataError, match="leaves no training columns"):
        SampleMicroscopySelector(2, 1, 2, SampleMicroscopyParams(val_width=550))
