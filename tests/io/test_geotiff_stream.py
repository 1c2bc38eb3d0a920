"""Streaming GeoTIFFs: georeferencing, nodata and dtype survive; memory holds one row of tiles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import torch

from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.io.base import OutputLayout, Window
from gan_engine.io.memory import ArraySource
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from tests.inference.models import tiny_srresnet

rasterio = pytest.importorskip("rasterio")
from rasterio.crs import CRS  # noqa: E402
from rasterio.transform import Affine, from_origin  # noqa: E402

NODATA = 0


def _predictor(channels: int, tile: int = 24) -> Predictor:
    model = tiny_srresnet(2, channels, 2, seed=5, tail_gain=1.0)
    normaliser = MinMaxNormaliser(channels, MinMaxParams(minimum=[0.0], maximum=[10000.0]))
    return Predictor(model, normaliser, options=PredictOptions(tile=tile, batch_size=3))


def _write(path: Path, data: npt.NDArray[Any], nodata: float | None, **extra: Any) -> None:
    profile = {
        "driver": "GTiff",
        "width": data.shape[2],
        "height": data.shape[1],
        "count": data.shape[0],
        "dtype": data.dtype.name,
        "crs": CRS.from_epsg(32633),
        "transform": from_origin(500000.0, 4600000.0, 10.0, 10.0),
        "nodata": nodata,
        **extra,
    }
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(data)
        dataset.set_band_description(1, "blue")
        dataset.update_tags(SENSOR="test")


def _reflectance(shape: tuple[int, ...]) -> npt.NDArray[np.uint16]:
    """Smooth fields (so bicubic does not overshoot) plus some noise, in 1000..9000."""
    rng = np.random.default_rng(0)
    bands, height, width = shape
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    field = np.stack([np.sin(rows / (5 + b)) * np.cos(cols / (7 + b)) for b in range(bands)])
    values = 5000 + 3000 * field + rng.normal(0, 100, size=shape)
    return np.clip(values, 1000, 9000).astype(np.uint16)


def test_geotiff_round_trip_keeps_crs_scales_transform_and_restores_nodata(tmp_path: Path) -> None:
    data = _reflectance((4, 70, 52))
    data[:, 30:36, 10:18] = NODATA  # a hole, in every band
    data[2, 5, 5] = NODATA  # one band only
    source = tmp_path / "scene.tif"
    _write(source, data, NODATA, compress="deflate")
    predictor = _predictor(4)
    report = predictor.predict_file(source, tmp_path / "out" / "scene.tif")
    assert report.tiles > 4  # several rows and columns of tiles

    with rasterio.open(source) as src, rasterio.open(report.target) as out:
        assert out.crs == src.crs
        assert out.transform == src.transform @ Affine.scale(0.5)
        assert (out.bounds.left, out.bounds.top) == (src.bounds.left, src.bounds.top)
        assert out.bounds == src.bounds
        assert out.nodata == NODATA
        assert out.dtypes[0] == "uint16"
        assert (out.count, out.height, out.width) == (4, 140, 104)
        assert out.descriptions[0] == "blue"
        assert out.tags()["SENSOR"] == "test"
        assert out.profile.get("compress", "").lower() == "deflate"
        result = out.read()

    hole = np.zeros((4, 70, 52), dtype=bool)
    hole[:, 30:36, 10:18] = True
    hole[2, 5, 5] = True
    up = hole.repeat(2, axis=1).repeat(2, axis=2)
    assert (result[up] == NODATA).all()
    assert (result[~up] != NODATA).mean() > 0.999  # valid pixels carry predictions

    # far from the hole, the stream equals the untiled network on the raw values
    with torch.no_grad():
        raw = torch.from_numpy(data.astype(np.float32))[None]
        model = predictor.model
        untiled = model(raw)[0].numpy()
    expected = np.clip(np.rint(untiled), 0, 65535)
    radius = predictor.receptive_field or 0
    far = np.ones((70, 52), dtype=bool)
    far[30 - radius : 36 + radius, 10 - radius : 18 + radius] = False
    far[: 5 + radius + 1, : 5 + radius + 1] = False
    far_up = far.repeat(2, axis=0).repeat(2, axis=1)
    assert np.abs(result[:, far_up].astype(int) - expected[:, far_up]).max() <= 1


def test_nan_does_not_poison_its_neighbours_in_float_rasters(tmp_path: Path) -> None:
    clean = _reflectance((2, 40, 40)).astype(np.float32)
    holed = clean.copy()
    holed[:, 18:22, 18:22] = np.nan
    _write(tmp_path / "clean.tif", clean, float("nan"))
    _write(tmp_path / "holed.tif", holed, float("nan"))
    predictor = _predictor(2)
    results = {}
    for name in ("clean", "holed"):
        target = predictor.predict_file(tmp_path / f"{name}.tif", tmp_path / "out" / f"{name}.tif")
        with rasterio.open(target.target) as out:
            assert out.dtypes[0] == "float32"
            assert np.isnan(out.nodata)
            results[name] = out.read()
    result = results["holed"]
    nan = np.isnan(result)
    assert nan[:, 36:44, 36:44].all()
    assert nan.sum() == 2 * 8 * 8  # nothing else became NaN
    # beyond the receptive field the hole changes nothing; nearer, values stay plausible
    radius = predictor.receptive_field or 0
    far = np.ones((80, 80), dtype=bool)
    far[2 * (18 - radius) : 2 * (22 + radius), 2 * (18 - radius) : 2 * (22 + radius)] = False
    np.testing.assert_allclose(result[:, far], results["clean"][:, far], rtol=1e-5, atol=1e-2)
    ring = result[:, 2 * (18 - radius) : 2 * (22 + radius), 2 * (18 - radius) : 2 * (22 + radius)]
    assert np.nanmin(ring) > -1000
    assert np.nanmax(ring) < 11000


class _RecordingSink:
    """An in-memory sink that records the windows written, to check the streaming pattern."""

    def __init__(self, layout: OutputLayout) -> None:
        self.array = np.zeros(layout.shape, dtype=layout.dtype)
        self.windows: list[Window] = []

    def write(self, window: Window, data: npt.NDArray[Any]) -> None:
        assert not self.array[(slice(None), *window)].any(), "a pixel was written twice"
        self.array[(slice(None), *window)] = data
        self.windows.append(window)

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        pass


@pytest.mark.parametrize("mode", ["centre", "blend"])
def test_output_is_written_in_row_bands_of_at_most_one_tile_row(mode: str) -> None:
    model = tiny_srresnet(2, 1, 2, seed=6)
    normaliser = MinMaxNormaliser(1, MinMaxParams(minimum=[0.0], maximum=[1.0]))
    options = PredictOptions(tile=20, mode=mode, overlap=7, guard=0)  # type: ignore[arg-type]
    predictor = Predictor(model, normaliser, options=options)
    array = np.random.default_rng(1).random((1, 90, 33), dtype=np.float32) + 1.0
    sinks: list[_RecordingSink] = []

    def create(_target: Path, layout: OutputLayout) -> _RecordingSink:
        sinks.append(_RecordingSink(layout))
        return sinks[-1]

    source = ArraySource(array, create=create)
    sink = source.create_sink(Path("x"), predictor.output_layout(source))
    predictor.run(source, sink)
    grid = predictor._tiler.plan((90, 33))
    rows = grid.axes[0]
    assert len(sinks[0].windows) == rows.count
    for window in sinks[0].windows:
        assert window[1] == slice(0, 66)  # full width
        assert window[0].stop - window[0].start <= 2 * rows.tile  # at most one tile row
    np.testing.assert_allclose(sinks[0].array, predictor.predict(array), rtol=0, atol=0)
