"""Predicting with a hole-filling model: tiles carry their holes, from a mask file or from nodata."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from gan_engine.generators.inpainting_unet import InpaintingUNet, InpaintingUNetParams
from gan_engine.inference.errors import InputError
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams

TRANSFORM = (10.0, 0.0, 500000.0, 0.0, -10.0, 4600000.0)


def unet(dims: int, channels: int, depth: int) -> InpaintingUNet:
    torch.manual_seed(0)
    params = InpaintingUNetParams(n_channels=4, depth=depth, conv="plain")
    return InpaintingUNet(dims, channels, channels, 1, params).eval()  # type: ignore[arg-type]


def predictor(dims: int, channels: int, tile: int, top: float = 1.0, depth: int = 1) -> Predictor:
    normaliser = MinMaxNormaliser(channels, MinMaxParams(minimum=[0.0], maximum=[top]))
    options = PredictOptions(tile=tile, channels_last=False, reuse_memory=False)
    return Predictor(unet(dims, channels, depth), normaliser, options=options, fills_holes=True)


@pytest.mark.parametrize(
    ("dims", "shape", "depth", "tile"), [(2, (40, 60), 2, 40), (3, (20, 24, 28), 1, 20)]
)
def test_tiled_fill_equals_the_whole_image_and_keeps_known_pixels(
    dims: int, shape: tuple[int, ...], depth: int, tile: int
) -> None:
    generator = torch.Generator().manual_seed(dims)
    image = torch.rand(2, *shape, generator=generator)
    holes = torch.zeros(1, *shape)
    holes[(0, *(slice(n // 3, n // 2) for n in shape))] = 1.0
    small = predictor(dims, 2, tile=tile, depth=depth)
    whole = predictor(dims, 2, tile=128, depth=depth)
    assert small.tiling.mode == "centre"  # the overlap covers the receptive field: exact
    assert small.tiling.overlap >= unet(dims, 2, depth).params.receptive_field()  # type: ignore[operator]
    assert len(small._tiler.plan(shape)) > 1
    tiled_out = small.predict(image, holes=holes)
    whole_out = whole.predict(image, holes=holes)
    torch.testing.assert_close(tiled_out, whole_out, rtol=1e-4, atol=1e-5)
    known = holes.expand_as(image) == 0
    torch.testing.assert_close(whole_out[known], image[known], rtol=0, atol=1e-6)
    assert not torch.allclose(whole_out[~known], image[~known])


def test_without_a_mask_the_nodata_pixels_are_filled() -> None:
    image = np.random.default_rng(0).random((1, 24, 24)).astype(np.float32)
    image[0, 5:9, 6:12] = np.nan
    out = predictor(2, 1, tile=200).predict(image)
    assert np.isfinite(out).all()  # filled, not given nodata back
    known = np.isfinite(image)
    np.testing.assert_allclose(out[known], image[known], atol=1e-6)


def test_geotiff_with_a_mask_file_keeps_its_georeference(tmp_path: Path) -> None:
    rasterio = pytest.importorskip("rasterio")
    from gan_engine.io.geotiff import write_geotiff

    pixels = (np.random.default_rng(1).random((2, 32, 32)) * 10000).astype(np.uint16)
    source = write_geotiff(tmp_path / "scene.tif", pixels, crs="EPSG:32633", transform=TRANSFORM)
    holes = np.zeros((1, 32, 32), np.uint8)
    holes[0, 10:20, 12:18] = 1
    mask = write_geotiff(tmp_path / "mask.tif", holes, crs="EPSG:32633", transform=TRANSFORM)
    model = predictor(2, 2, tile=200, top=10000.0)
    model.predict_file(source, tmp_path / "filled.tif", mask_path=mask)
    with rasterio.open(tmp_path / "filled.tif") as out:
        assert out.crs.to_epsg() == 32633
        assert tuple(out.transform)[:6] == TRANSFORM
        filled = out.read()
    known = np.broadcast_to(holes == 0, pixels.shape)
    np.testing.assert_array_equal(filled[known], pixels[known])
    assert (filled[~known] != pixels[~known]).any()
    moved = (10.0, 0.0, 500100.0, 0.0, -10.0, 4600000.0)
    shifted = write_geotiff(tmp_path / "shifted.tif", holes, crs="EPSG:32633", transform=moved)
    with pytest.raises(InputError, match="CRS and transform"):
        model.predict_file(source, tmp_path / "again.tif", mask_path=shifted)
    full = write_geotiff(
        tmp_path / "full.tif", np.ones_like(holes), crs="EPSG:32633", transform=TRANSFORM
    )
    with pytest.raises(InputError, match="every pixel"):
        model.predict_file(source, tmp_path / "again.tif", mask_path=full)
    small = write_geotiff(
        tmp_path / "small.tif", holes[:, :16], crs="EPSG:32633", transform=TRANSFORM
    )
    with pytest.raises(InputError, match="spatial shape"):
        model.predict_file(source, tmp_path / "again.tif", mask_path=small)


def test_nifti_with_a_mask_keeps_its_affine(tmp_path: Path) -> None:
    nibabel = pytest.importorskip("nibabel")
    affine = np.diag([2.0, 2.0, 3.0, 1.0])
    volume = np.random.default_rng(2).random((12, 14, 10)).astype(np.float32)
    nibabel.save(nibabel.Nifti1Image(volume, affine), tmp_path / "t1.nii.gz")
    mask = np.zeros((12, 14, 10), np.uint8)
    mask[3:7, 4:9, 2:6] = 1
    nibabel.save(nibabel.Nifti1Image(mask, affine), tmp_path / "t1_mask.nii.gz")
    model = predictor(3, 1, tile=200)
    model.predict_file(
        tmp_path / "t1.nii.gz", tmp_path / "filled.nii.gz", mask_path=tmp_path / "t1_mask.nii.gz"
    )
    out = nibabel.load(tmp_path / "filled.nii.gz")
    np.testing.assert_allclose(out.affine, affine)
    data = np.asarray(out.dataobj)
    np.testing.assert_allclose(data[mask == 0], volume[mask == 0], atol=1e-6)
    nibabel.save(nibabel.Nifti1Image(mask, np.eye(4)), tmp_path / "moved.nii.gz")
    with pytest.raises(InputError, match="affine"):
        model.predict_file(
            tmp_path / "t1.nii.gz", tmp_path / "x.nii.gz", mask_path=tmp_path / "moved.nii.gz"
        )


def test_a_mask_for_a_model_that_does_not_fill_holes_is_refused() -> None:
    normaliser = MinMaxNormaliser(1, MinMaxParams(minimum=[0.0], maximum=[1.0]))
    from tests.inference.models import tiny_srresnet

    plain = Predictor(tiny_srresnet(2, 1, 2), normaliser, options=PredictOptions(tile=64))
    with pytest.raises(InputError, match="does not fill holes"):
        plain.predict(np.zeros((1, 8, 8), np.float32), holes=np.zeros((1, 8, 8), np.float32))
