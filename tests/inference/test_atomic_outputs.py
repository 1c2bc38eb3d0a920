"""Outputs appear whole or not at all, and inputs are never overwritten."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import Tensor

from gan_engine.inference.errors import OutputError
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from tests.inference.models import tiny_srresnet


def _predictor(channels: int = 1) -> Predictor:
    model = tiny_srresnet(2, channels, 2, seed=8, tail_gain=1.0)
    normaliser = MinMaxNormaliser(channels, MinMaxParams(minimum=[0.0], maximum=[255.0]))
    return Predictor(model, normaliser, options=PredictOptions(tile=24, batch_size=2))


def _fail_after(predictor: Predictor, calls: int, error: BaseException) -> None:
    """Make the network fail on its ``calls + 1``-th batch (after some output was written)."""
    forward: Callable[[Tensor], Tensor] = predictor._tiler.model
    seen = [0]

    def failing(batch: Tensor) -> Tensor:
        seen[0] += 1
        if seen[0] > calls:
            raise error
        return forward(batch)

    predictor._tiler.model = failing


def _inputs(folder: Path) -> dict[str, Path]:
    data = (np.random.default_rng(0).random((1, 60, 40)) * 200).astype(np.uint8)
    folder.mkdir(parents=True)
    paths = {"npy": folder / "a.npy", "png": folder / "a.png"}
    np.save(paths["npy"], data)
    Image.fromarray(data[0]).save(paths["png"])
    rasterio = pytest.importorskip("rasterio")
    paths["tif"] = folder / "a.tif"
    profile = {"driver": "GTiff", "width": 40, "height": 60, "count": 1, "dtype": "uint8"}
    profile["crs"] = "EPSG:4326"
    profile["transform"] = rasterio.transform.from_origin(100, 100, 1, 1)
    with rasterio.open(paths["tif"], "w", **profile) as dataset:
        dataset.write(data)
    return paths


@pytest.mark.parametrize("kind", ["npy", "png", "tif"])
@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_an_interrupted_run_leaves_no_output_and_no_temporary_file(
    tmp_path: Path, kind: str, error: BaseException
) -> None:
    source = _inputs(tmp_path / "in")[kind]
    out = tmp_path / "out"
    predictor = _predictor()
    _fail_after(predictor, 3, error)
    with pytest.raises(type(error)):
        predictor.predict_file(source, out / source.name)
    assert not (out / source.name).exists()
    assert not out.exists() or list(out.iterdir()) == []  # no partial file left behind


def test_a_failed_overwrite_keeps_the_previous_output(tmp_path: Path) -> None:
    source = _inputs(tmp_path / "in")["npy"]
    target = tmp_path / "out.npy"
    np.save(target, np.arange(3))
    predictor = _predictor()
    _fail_after(predictor, 2, RuntimeError("boom"))
    with pytest.raises(RuntimeError):
        predictor.predict_file(source, target, overwrite=True)
    np.testing.assert_array_equal(np.load(target), np.arange(3))


def test_an_input_is_never_overwritten(tmp_path: Path) -> None:
    source = _inputs(tmp_path / "in")["png"]
    before = source.read_bytes()
    predictor = _predictor()
    spellings = [source, tmp_path / "in" / ".." / "in" / "a.png"]
    link = tmp_path / "link.png"
    link.symlink_to(source)
    spellings.append(link)
    for target in spellings:
        with pytest.raises(OutputError, match="is the input"):
            predictor.predict_file(source, target, overwrite=True)
    assert source.read_bytes() == before


def test_an_existing_output_needs_overwrite(tmp_path: Path) -> None:
    source = _inputs(tmp_path / "in")["npy"]
    target = tmp_path / "out.npy"
    np.save(target, np.arange(3))
    predictor = _predictor()
    with pytest.raises(OutputError, match="overwrite"):
        predictor.predict_file(source, target)
    predictor.predict_file(source, target, overwrite=True)
    assert np.load(target).shape == (1, 120, 80)


def test_in_memory_prediction_keeps_tensor_type_and_dtype() -> None:
    predictor = _predictor(3)
    x = torch.randint(0, 255, (3, 20, 20), dtype=torch.uint8)
    y = predictor.predict(x)
    assert isinstance(y, Tensor)
    assert y.dtype == torch.uint8
    assert y.shape == (3, 40, 40)
