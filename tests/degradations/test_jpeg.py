"""JPEG: the RGB codecs and the per-band DCT codec agree with Pillow's encoder.

Tolerances (measured on 64×64 crops of scikit-image's photos, qualities 30–95): our RGB codec vs
Pillow differ by 0.5–1.5 levels of 255 on average, kornia's by 0.9–1.7 (Pillow's own error
against the input is 2–5 levels); the per-band DCT codec vs Pillow's grayscale JPEG by ≤ 0.25.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from gan_engine.degradations.dct import dct_compress, quality_table
from gan_engine.degradations.jpeg import JPEGCompression, JPEGParams, kornia_available


def _pillow(array: np.ndarray, quality: int) -> torch.Tensor:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG", quality=quality)
    decoded = np.array(Image.open(buffer)).astype(np.float32) / 255
    tensor = torch.from_numpy(decoded)
    return tensor.permute(2, 0, 1)[None] if tensor.ndim == 3 else tensor[None, None]


CODECS = [
    ("auto", 2.0),
    pytest.param(
        "kornia",
        2.0,
        marks=pytest.mark.skipif(not kornia_available(), reason="kornia is not installed"),
    ),
]


@pytest.mark.parametrize(("codec", "tolerance"), CODECS)
@pytest.mark.parametrize("quality", [30, 60, 95])
@pytest.mark.parametrize("photo_name", ["astronaut", "coffee", "chelsea"])
def test_rgb_jpeg_agrees_with_pillow(
    photo_name: str, quality: int, codec: str, tolerance: float
) -> None:
    photo = getattr(data, photo_name)()[100:164, 150:214]
    x = torch.from_numpy(photo).permute(2, 0, 1)[None].float() / 255
    stage = JPEGCompression(2, 3, JPEGParams(quality=(quality, quality), codec=codec))  # type: ignore[arg-type]
    ours, _ = stage(x, x, torch.tensor([0]), 1)
    reference = _pillow(photo, quality)
    assert float((ours - reference).abs().mean()) * 255 < tolerance
    # Closer to Pillow's output than the uncompressed input is: it did compress like JPEG.
    assert (ours - reference).abs().mean() < 0.8 * (x - reference).abs().mean()


@pytest.mark.parametrize("quality", [30, 60, 95])
def test_per_band_dct_agrees_with_pillow_grayscale(quality: int) -> None:
    gray = data.camera()[200:264, 200:264]
    x = torch.from_numpy(gray)[None, None].float() / 255
    ours = dct_compress(x, torch.tensor([quality]))
    assert float((ours - _pillow(gray, quality)).abs().mean()) * 255 < 0.5


def test_dct_codes_each_band_alone_and_any_size() -> None:
    bands = torch.rand(1, 13, 20, 27)
    coded = dct_compress(bands, torch.tensor([50]))
    assert coded.shape == bands.shape
    torch.testing.assert_close(coded[:, 4:5], dct_compress(bands[:, 4:5], torch.tensor([50])))
    assert torch.equal(torch.round(coded * 255), coded * 255)  # 8-bit levels


def test_quality_100_is_nearly_lossless() -> None:
    assert torch.equal(quality_table(torch.tensor([100])), torch.ones(1, 8, 8, dtype=torch.float64))
    x = torch.round(torch.rand(2, 4, 16, 16) * 255) / 255
    assert float((dct_compress(x, torch.tensor([100, 100])) - x).abs().max()) <= 2 / 255


def test_volumes_are_coded_slice_by_slice() -> None:
    volume = torch.rand(2, 1, 4, 16, 16)
    stage = JPEGCompression(3, 1, JPEGParams(quality=(40, 40)))
    coded, _ = stage(volume, volume, torch.tensor([1, 2]), 1)
    torch.testing.assert_close(
        coded[:, :, 2], dct_compress(volume[:, :, 2], torch.tensor([40, 40]))
    )
