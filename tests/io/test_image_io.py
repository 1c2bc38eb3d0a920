"""Reading images: native value ranges, colour conversion, bit depth, clear errors."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from gan_engine.errors import DataError
from gan_engine.io.errors import InputError
from gan_engine.io.formats import open_input
from gan_engine.io.images import common_data_range, probe_image, probe_images, read_image


def test_reads_8_bit_rgb_in_native_range(tmp_path: Path, random_rgb: Any, write_image: Any) -> None:
    array = random_rgb(10, 12, seed=0)
    path = write_image(tmp_path / "x.png", array)
    pixels, data_range = read_image(path, "rgb")
    assert data_range == 255.0
    assert pixels.dtype == torch.float32
    assert pixels.shape == (3, 10, 12)
    assert torch.equal(pixels, torch.from_numpy(array).permute(2, 0, 1).float())


def test_gray_and_rgb_conversions(tmp_path: Path, random_rgb: Any, write_image: Any) -> None:
    rgb = write_image(tmp_path / "rgb.png", random_rgb(6, 5, seed=1))
    gray, _ = read_image(rgb, "gray")
    assert gray.shape == (1, 6, 5)
    expected = np.asarray(Image.open(rgb).convert("L"), dtype=np.float32)
    assert torch.equal(gray[0], torch.from_numpy(expected))
    levels = np.arange(30, dtype=np.uint8).reshape(5, 6)
    l_file = write_image(tmp_path / "l.png", levels)
    as_rgb, _ = read_image(l_file, "rgb")
    assert as_rgb.shape == (3, 5, 6)
    assert all(torch.equal(as_rgb[c], torch.from_numpy(levels).float()) for c in range(3))


def test_rgba_drops_alpha(tmp_path: Path, random_rgb: Any, write_image: Any) -> None:
    rgba = np.dstack([random_rgb(4, 4, seed=2), np.full((4, 4), 7, np.uint8)])
    pixels, _ = read_image(write_image(tmp_path / "a.png", rgba), "rgb")
    assert torch.equal(pixels, torch.from_numpy(rgba[..., :3]).permute(2, 0, 1).float())


def test_reads_16_bit_gray_in_native_range(tmp_path: Path, write_image: Any) -> None:
    levels = (np.arange(48, dtype=np.uint16) * 1365).reshape(6, 8)
    path = write_image(tmp_path / "g16.png", levels)
    assert probe_image(path).data_range == 65535.0
    pixels, data_range = read_image(path, "gray")
    assert data_range == 65535.0
    assert torch.equal(pixels[0], torch.from_numpy(levels.astype(np.float32)))
    as_rgb, _ = read_image(path, "rgb")
    assert as_rgb.shape == (3, 6, 8)
    assert float(as_rgb.max()) == 47 * 1365


def test_probe_reads_size_and_mode(tmp_path: Path, random_rgb: Any, write_image: Any) -> None:
    header = probe_image(write_image(tmp_path / "p.png", random_rgb(9, 11, seed=3)))
    assert (header.width, header.height, header.mode, header.data_range) == (11, 9, "RGB", 255.0)


def test_garbage_file_raises_data_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"this is not a png at all")
    for read in (probe_image, lambda p: read_image(p, "rgb")):
        with pytest.raises(DataError, match=r"broken\.png"):
            read(path)


def test_truncated_file_raises_data_error(
    tmp_path: Path, random_rgb: Any, write_image: Any
) -> None:
    path = write_image(tmp_path / "t.png", random_rgb(64, 64, seed=4))
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match=r"t\.png"):
        read_image(path, "rgb")


def test_missing_file_raises_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"missing\.png"):
        probe_image(tmp_path / "missing.png")


def _png_rgb16(path: Path, height: int, width: int) -> Path:
    rows = np.arange(height * width * 3, dtype=">u2").reshape(height, width, 3)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


def test_16_bit_colour_is_refused_not_truncated(tmp_path: Path) -> None:
    path = _png_rgb16(tmp_path / "rgb16.png", 3, 4)
    with pytest.raises(DataError, match="16-bit colour"):
        probe_image(path)


def test_prediction_refuses_16_bit_colour_like_training(tmp_path: Path) -> None:
    path = _png_rgb16(tmp_path / "rgb16.png", 3, 4)
    with pytest.raises(InputError, match="16-bit colour"):
        open_input(path, 2)


def test_float_images_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.tif"
    Image.fromarray(np.zeros((4, 4), np.float32)).save(path)
    with pytest.raises(DataError, match="floating point"):
        read_image(path, "gray")


def test_mixed_bit_depths_name_the_files(tmp_path: Path, write_image: Any) -> None:
    eight = write_image(tmp_path / "eight.png", np.zeros((4, 4), np.uint8))
    sixteen = write_image(tmp_path / "sixteen.png", np.zeros((4, 4), np.uint16))
    with pytest.raises(DataError, match=r"eight\.png.*sixteen\.png"):
        common_data_range(probe_images([eight, sixteen]))
