"""The I/O contract: for every format, prediction reads from a file the array training reads from it.

Each case writes a small file and reads it the way a training dataset does. For each model
dimension the format serves, prediction's reader (:func:`~gan_engine.io.formats.open_input`) must give
the same array, and ``predict_file`` on the file must equal ``Predictor.predict`` on the training
array, both as handed to the output sink and, for lossless formats, as read back from the output file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

import gan_engine.inference.predictor as predictor_module
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.io.arrays import probe_array, read_array_window
from gan_engine.io.base import OutputLayout, RasterSink, RasterSource, Window
from gan_engine.io.boxes import full_box
from gan_engine.io.formats import FORMATS, file_format, open_input
from gan_engine.io.geotiff import probe_geotiff, read_geotiff_window, write_geotiff
from gan_engine.io.images import read_image_array
from gan_engine.io.nifti import nifti_sources
from gan_engine.io.tiff import TiffStackSource
from gan_engine.io.video import VideoSource
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from gan_engine.types import SpatialDims
from tests.data.modality_files import few_colour_frames, write_gif, write_nifti, write_tiff
from tests.inference.models import tiny_srresnet

Array = npt.NDArray[Any]


def _values(shape: tuple[int, ...], high: int, dtype: type, seed: int) -> Array:
    return np.random.default_rng(seed).integers(0, high, shape).astype(dtype)


def _png_rgb(root: Path) -> Path:
    path = root / "photo.png"
    Image.fromarray(_values((11, 13, 3), 256, np.uint8, 1)).save(path)
    return path


def _png_gray16(root: Path) -> Path:
    path = root / "gray16.png"
    Image.fromarray(_values((11, 13), 65536, np.uint16, 2)).save(path)
    return path


def _geotiff(root: Path) -> Path:
    pytest.importorskip("rasterio")
    return write_geotiff(
        root / "scene.tif",
        _values((4, 12, 10), 10000, np.uint16, 3),
        crs="EPSG:32633",
        transform=(10.0, 0.0, 500000.0, 0.0, -10.0, 4000000.0),
    )


def _tiff_image(root: Path) -> Path:
    return write_tiff(root / "cells.tif", _values((12, 10), 4000, np.uint16, 4), axes="YX")


def _tiff_rgb(root: Path) -> Path:
    tifffile = pytest.importorskip("tifffile")
    path = root / "rgb.tif"
    tifffile.imwrite(path, _values((12, 10, 3), 256, np.uint8, 10), photometric="rgb")
    return path


def _tiff_stack(root: Path) -> Path:
    return write_tiff(root / "stack.tif", _values((5, 2, 12, 10), 4000, np.uint16, 5), axes="ZCYX")


def _npy(root: Path) -> Path:
    path = root / "bands.npy"
    np.save(path, _values((3, 12, 10), 10000, np.uint16, 6))
    return path


def _nifti(root: Path) -> Path:
    return write_nifti(root / "scan.nii.gz", _values((10, 8, 6), 3000, np.int16, 7))  # (i, j, k)


def _nifti_4d(root: Path) -> Path:
    return write_nifti(root / "bands.nii", _values((10, 8, 6, 2), 3000, np.int16, 8))


def _gif(root: Path) -> Path:
    return write_gif(root / "clip.gif", few_colour_frames(4, 12, 10, seed=9))


def _whole(reader: Any) -> Array:
    return np.asarray(reader.read(full_box(reader.shape)))


@attrs.frozen
class Case:
    """A file of one format and the array a training dataset reads from it."""

    name: str
    write: Callable[[Path], Path]
    training_array: Callable[[Path], Array]
    dims: tuple[SpatialDims, ...]
    lossless: bool = True


CASES = (
    Case("png rgb", _png_rgb, lambda p: read_image_array(p, "rgb"), (2,)),
    Case("png 16-bit gray", _png_gray16, lambda p: read_image_array(p, "gray"), (2,)),
    Case(
        "geotiff",
        _geotiff,
        lambda p: read_geotiff_window(probe_geotiff(p), probe_geotiff(p).full_window()),
        (2,),
    ),
    # a single TIFF image is a stack of depth 1 for training; its D axis is dropped for prediction
    Case("tiff image", _tiff_image, lambda p: _whole(TiffStackSource(p))[:, 0], (2,)),
    Case("tiff rgb", _tiff_rgb, lambda p: _whole(TiffStackSource(p))[:, 0], (2,)),
    Case("tiff stack", _tiff_stack, lambda p: _whole(TiffStackSource(p)), (2, 3)),
    Case(
        "npy",
        _npy,
        lambda p: read_array_window(probe_array(p), probe_array(p).full_window()),
        (2,),
    ),
    Case("nifti", _nifti, lambda p: _whole(nifti_sources(p)[0]), (2, 3)),
    Case("nifti 4d", _nifti_4d, lambda p: _whole(nifti_sources(p, "channels")[0]), (2, 3)),
    Case("gif", _gif, lambda p: _whole(VideoSource(p, "rgb")), (2, 3), lossless=False),
)

PARAMS = [
    pytest.param(case, dims, id=f"{case.name}-{dims}d") for case in CASES for dims in case.dims
]


def _full(shape: tuple[int, ...]) -> Window:
    return tuple(slice(0, size) for size in shape[1:])


def test_every_format_has_a_case(tmp_path: Path) -> None:
    covered = {file_format(case.write(tmp_path)) for case in CASES}
    missing = [fmt.name for fmt in FORMATS if fmt not in covered]
    assert not missing, f"formats without a contract case: {missing}"


@pytest.mark.parametrize(("case", "dims"), PARAMS)
def test_prediction_reads_what_training_reads(
    tmp_path: Path, case: Case, dims: SpatialDims
) -> None:
    path = case.write(tmp_path)
    expected = case.training_array(path)
    source = open_input(path, dims)
    try:
        assert source.shape == expected.shape
        assert source.dtype == expected.dtype
        np.testing.assert_array_equal(source.read(_full(source.shape)), expected)
    finally:
        source.close()


class _RecordingSink:
    """Passes every window on to the format's sink and keeps a copy of the whole output."""

    def __init__(self, sink: RasterSink, layout: OutputLayout) -> None:
        self.sink = sink
        self.array: Array = np.zeros(layout.shape, dtype=layout.dtype)

    def write(self, window: Window, data: Array) -> None:
        self.array[(slice(None), *window)] = data
        self.sink.write(window, data)

    def commit(self) -> None:
        self.sink.commit()

    def abort(self) -> None:
        self.sink.abort()


class _RecordedSource:
    """A source whose sink records what prediction hands to it."""

    def __init__(self, source: RasterSource, sinks: list[_RecordingSink]) -> None:
        self._source = source
        self._sinks = sinks

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def create_sink(self, target: Path, layout: OutputLayout) -> RasterSink:
        sink = _RecordingSink(self._source.create_sink(target, layout), layout)
        self._sinks.append(sink)
        return sink


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[_RecordingSink]:
    sinks: list[_RecordingSink] = []

    def recording_open(path: Path, dims: SpatialDims) -> RasterSource:
        return _RecordedSource(open_input(path, dims), sinks)

    monkeypatch.setattr(predictor_module, "open_input", recording_open)
    return sinks


@pytest.mark.parametrize(("case", "dims"), PARAMS)
def test_predict_file_equals_predict_on_the_training_array(
    tmp_path: Path, case: Case, dims: SpatialDims, recorded: list[_RecordingSink]
) -> None:
    path = case.write(tmp_path)
    array = case.training_array(path)
    channels = array.shape[0]
    maximum = float(np.iinfo(array.dtype).max) if array.dtype.kind in "ui" else 1.0
    model = tiny_srresnet(dims, channels, 2, seed=11, tail_gain=1.0)
    normaliser = MinMaxNormaliser(channels, MinMaxParams(minimum=[0.0], maximum=[maximum]))
    predictor = Predictor(model, normaliser, options=PredictOptions(tile=16))
    expected = predictor.predict(array)
    target = tmp_path / "out" / path.name
    predictor.predict_file(path, target)
    (sink,) = recorded
    np.testing.assert_array_equal(sink.array, expected)
    if case.lossless:
        written = open_input(target, dims)
        try:
            np.testing.assert_array_equal(written.read(_full(written.shape)), expected)
        finally:
            written.close()


def test_the_formats_page_lists_every_suffix() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "concepts" / "io.md"
    words = set(page.read_text(encoding="utf-8").replace("`", " ").split())
    missing = [suffix for fmt in FORMATS for suffix in fmt.suffixes if suffix not in words]
    assert not missing, f"docs/concepts/io.md does not list {missing}"
