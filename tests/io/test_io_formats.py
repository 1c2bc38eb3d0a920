"""Each input format round-trips: layout, dtype and metadata of the output follow the input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from gan_engine.types import SpatialDims
from tests.inference.models import tiny_srresnet


def _predictor(dims: SpatialDims, channels: int, maximum: float, tile: int = 16) -> Predictor:
    model = tiny_srresnet(dims, channels, 2, seed=7, tail_gain=1.0)
    normaliser = MinMaxNormaliser(channels, MinMaxParams(minimum=[0.0], maximum=[maximum]))
    return Predictor(model, normaliser, options=PredictOptions(tile=tile))


def _untiled(predictor: Predictor, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return predictor.model(torch.from_numpy(x.astype(np.float32))[None])[0].numpy()


def _smooth(shape: tuple[int, ...], low: float, high: float) -> np.ndarray:
    grids = np.meshgrid(*(np.arange(n) for n in shape[1:]), indexing="ij")
    field = sum(np.sin(g / (4 + i)) for i, g in enumerate(grids))
    field = field / len(grids)
    return np.stack(
        [low + (high - low) * (0.5 + 0.45 * field * (c + 1) / shape[0]) for c in range(shape[0])]
    )


def test_png_photo_comes_back_as_uint8_png_clipped_and_rounded(tmp_path: Path) -> None:
    pixels = _smooth((3, 30, 41), 0, 255).astype(np.uint8)
    Image.fromarray(pixels.transpose(1, 2, 0)).save(tmp_path / "photo.png")
    predictor = _predictor(2, 3, 255.0)
    report = predictor.predict_file(tmp_path / "photo.png", tmp_path / "out" / "photo.png")
    with Image.open(report.target) as image:
        assert image.mode == "RGB"
        assert image.size == (82, 60)
        result = np.asarray(image).transpose(2, 0, 1)
    expected = np.clip(np.rint(_untiled(predictor, pixels)), 0, 255)
    assert np.abs(result.astype(int) - expected).max() <= 1


def test_sixteen_bit_png_and_jpeg(tmp_path: Path) -> None:
    deep = _smooth((1, 20, 24), 0, 65535).astype(np.uint16)
    Image.fromarray(deep[0]).save(tmp_path / "deep.png")
    predictor = _predictor(2, 1, 65535.0)
    target = predictor.predict_file(tmp_path / "deep.png", tmp_path / "o" / "deep.png").target
    with Image.open(target) as image:
        assert image.mode.startswith("I;16") or image.mode == "I"
        assert np.asarray(image).max() > 255
    photo = _smooth((3, 20, 24), 0, 255).astype(np.uint8)
    Image.fromarray(photo.transpose(1, 2, 0)).save(tmp_path / "photo.jpg", quality=95)
    rgb = _predictor(2, 3, 255.0)
    target = rgb.predict_file(tmp_path / "photo.jpg", tmp_path / "o" / "photo.jpg").target
    with Image.open(target) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (48, 40))


def test_npy_volume_streams_through_a_memory_map_for_3d_models(tmp_path: Path) -> None:
    volume = _smooth((2, 20, 18, 15), -1.0, 1.0).astype(np.float32)
    np.save(tmp_path / "vol.npy", volume)
    predictor = _predictor(3, 2, 1.0, tile=14)
    target = predictor.predict_file(tmp_path / "vol.npy", tmp_path / "out.npy").target
    result = np.load(target)
    assert result.dtype == np.float32
    assert result.shape == (2, 40, 36, 30)
    np.testing.assert_allclose(result, _untiled(predictor, volume), atol=1e-4, rtol=1e-4)


def test_single_band_npy_keeps_its_layout(tmp_path: Path) -> None:
    volume = _smooth((1, 8, 9, 10), 0, 1000).astype(np.int16)[0]
    np.save(tmp_path / "ct.npy", volume)
    predictor = _predictor(3, 1, 1000.0, tile=14)
    result = np.load(predictor.predict_file(tmp_path / "ct.npy", tmp_path / "ct_x2.npy").target)
    assert result.shape == (16, 18, 20)
    assert result.dtype == np.int16


def test_videos_go_frame_by_frame_through_2d_models(tmp_path: Path) -> None:
    frames = _smooth((3, 4, 18, 22), 0, 255).astype(np.uint8)  # [C, F, H, W]
    np.save(tmp_path / "clip.npy", frames)
    predictor = _predictor(2, 3, 255.0)
    result = np.load(predictor.predict_file(tmp_path / "clip.npy", tmp_path / "clip_x2.npy").target)
    assert result.shape == (3, 4, 36, 44)
    for frame in range(4):
        expected = np.clip(np.rint(_untiled(predictor, frames[:, frame])), 0, 255)
        assert np.abs(result[:, frame].astype(int) - expected).max() <= 1


def test_tiff_stack_keeps_axes_and_dtype(tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    stack = _smooth((1, 3, 16, 20), 0, 4000).astype(np.uint16)[0]  # frames, Y, X
    tifffile.imwrite(
        tmp_path / "stack.tif", stack, photometric="minisblack", metadata={"axes": "ZYX"}
    )
    predictor = _predictor(2, 1, 4000.0)
    target = predictor.predict_file(tmp_path / "stack.tif", tmp_path / "o" / "stack.tif").target
    with tifffile.TiffFile(target) as tif:
        assert tif.series[0].axes == "ZYX"
        result = tif.series[0].asarray()
    assert result.shape == (3, 32, 40)
    assert result.dtype == np.uint16


@pytest.mark.parametrize("dims", [3, 2])
def test_nifti_affine_maps_new_voxels_into_the_same_space(
    tmp_path: Path, dims: SpatialDims
) -> None:
    nibabel = pytest.importorskip("nibabel")
    volume = _smooth((1, 8, 10, 6), 0, 1000).astype(np.float32)[0]
    affine = np.array([[2.0, 0, 0, -10], [0, 1.5, 0, 5], [0, 0, 3.0, 1], [0, 0, 0, 1]])
    nibabel.save(nibabel.Nifti1Image(volume, affine), tmp_path / "brain.nii.gz")
    predictor = _predictor(dims, 1, 1000.0, tile=14 if dims == 3 else 16)
    target = predictor.predict_file(
        tmp_path / "brain.nii.gz", tmp_path / "o" / "brain.nii.gz"
    ).target
    image = nibabel.load(target)
    scaled_axes = (0, 1, 2) if dims == 3 else (0, 1)
    expected_shape = tuple(n * 2 if a in scaled_axes else n for a, n in enumerate(volume.shape))
    assert image.shape == expected_shape
    zooms = [z / 2 if a in scaled_axes else z for a, z in enumerate((2.0, 1.5, 3.0))]
    np.testing.assert_allclose(image.header.get_zooms(), zooms)
    # the new voxel grid covers the same extent: its corner is the old corner
    corner = np.array([-0.5, -0.5, -0.5, 1])
    np.testing.assert_allclose((image.affine @ corner)[:3], (affine @ corner)[:3])
    # and the first new voxel centre sits a quarter of an old voxel inside the old first one
    first = [-0.25 if a in scaled_axes else 0.0 for a in range(3)]
    np.testing.assert_allclose(image.affine[:3, 3], (affine @ np.array([*first, 1]))[:3])
    data = np.asarray(image.dataobj)
    assert data.dtype == np.float32
    if dims == 2:  # k slices were super-resolved one by one, each seen as (j, i) like in training
        slice_ji = np.ascontiguousarray(volume[:, :, 0].T)
        with torch.no_grad():
            slice_0 = predictor.model(torch.from_numpy(slice_ji[None])[None])[0, 0].numpy()
        np.testing.assert_allclose(data[:, :, 0].T, slice_0, atol=1e-3, rtol=1e-4)
