"""Prediction reads a NIfTI file with the axes training read it with: ``[C, D=k, H=j, W=i]``.

A 3D model's kernels are not symmetric under axis swaps, so a model must see at prediction the
orientation it was trained on; and a whole-file prediction must equal the model applied to the
training reader's array of that file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from gan_engine.data.sources import full_box
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.io.formats import open_input
from gan_engine.io.nifti import nifti_sources
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from gan_engine.types import SpatialDims
from tests.data.modality_files import ramp, write_nifti
from tests.inference.models import tiny_srresnet

pytest.importorskip("nibabel")


@pytest.mark.parametrize("dims", [2, 3])
@pytest.mark.parametrize("shape", [(7, 5, 4), (7, 5, 4, 2)])
def test_prediction_reader_equals_training_reader(
    tmp_path: Path, dims: SpatialDims, shape: tuple[int, ...]
) -> None:
    path = write_nifti(tmp_path / "scan.nii.gz", ramp(shape, np.float32))
    (training,) = nifti_sources(path, "channels")
    source = open_input(path, dims)
    assert source.shape == training.shape
    window = (slice(1, 4), slice(0, 5), slice(2, 7))
    expected = training.read(((1, 4), (0, 5), (2, 7)))
    np.testing.assert_array_equal(source.read(window), expected)
    source.close()


def test_3d_prediction_equals_the_model_on_the_training_array(tmp_path: Path) -> None:
    nibabel = pytest.importorskip("nibabel")
    rng = np.random.default_rng(3)
    volume = rng.uniform(0, 1000, size=(10, 8, 6)).astype(np.float32)  # (i, j, k), all sides differ
    path = write_nifti(tmp_path / "brain.nii.gz", volume)
    model = tiny_srresnet(3, 1, 2, seed=11, tail_gain=1.0)
    normaliser = MinMaxNormaliser(1, MinMaxParams(minimum=[0.0], maximum=[1000.0]))
    predictor = Predictor(model, normaliser, options=PredictOptions(tile=64))
    target = predictor.predict_file(path, tmp_path / "o" / "brain.nii.gz").target
    written = np.asarray(nibabel.load(target).dataobj)  # (2i, 2j, 2k)
    (training,) = nifti_sources(path)
    array = training.read(full_box(training.shape)).astype(np.float32)  # [1, k, j, i]
    with torch.no_grad():
        expected = predictor.predict(torch.from_numpy(array))
    np.testing.assert_allclose(
        written.transpose(2, 1, 0), np.asarray(expected)[0], atol=1e-2, rtol=1e-4
    )
