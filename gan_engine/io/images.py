"""Photos through Pillow (PNG, JPEG, BMP, WebP): cheap header probes, decoded whole, written whole.

Axes: ``[C, H, W]`` = (colour channels, rows, columns), the same for training and prediction; values
keep the file's range (uint8 ``0..255``, 16-bit grayscale uint16 ``0..65535``). EXIF orientation is
not applied by either.

Training (:func:`probe_image`, :func:`read_image_array`, :func:`read_image`) decodes into the colour
mode a dataset asks for: 8-bit images (any Pillow 8-bit mode: L, P, RGB, RGBA, CMYK, …) through
Pillow's ``convert("RGB")`` / ``convert("L")``; 16-bit grayscale asked for as ``rgb`` is repeated over
three channels. LR is always derived from the HR crop, so orientation does not matter.

Prediction (:func:`open_image`) keeps the file's own bands: L: 1 band, LA: 2, RGB: 3, RGBA: 4
(palette, bilevel and CMYK images are converted to RGB/RGBA or L first), 16-bit grayscale as uint16
``[1, H, W]``. Outputs are written in the same mode; JPEG at quality 95. Outputs over the memory
budget are refused before any work (:func:`~gan_engine.io.memory.check_in_memory`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import torch
from PIL import Image
from torch import Tensor

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink
from gan_engine.io.errors import InputError
from gan_engine.io.memory import ArraySink, ArraySource, check_in_memory

_KEPT_MODES = frozenset({"L", "LA", "RGB", "RGBA", "I;16", "I;16B", "I;16L", "I;16N"})
_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP", ".webp": "WEBP"}
IMAGE_SUFFIXES: tuple[str, ...] = tuple(_FORMATS)


ColorMode: TypeAlias = Literal["rgb", "gray"]
COLOR_MODES: tuple[ColorMode, ...] = ("rgb", "gray")
COLOR_CHANNELS: dict[ColorMode, int] = {"rgb": 3, "gray": 1}

PixelArray: TypeAlias = npt.NDArray[np.unsignedinteger[Any]]
"""Decoded pixels ``[C, H, W]`` as uint8 or uint16, in the file's own units."""

_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})
_UNSUPPORTED_MODES = {
    "I": "32-bit integer",
    "F": "32-bit floating point",
    "I;16S": "signed 16-bit",
    "I;32": "32-bit integer",
}


@attrs.frozen
class ImageHeader:
    """What a header probe learns without decoding pixels.

    Attributes:
        path: the file.
        width: pixels per row.
        height: rows.
        mode: Pillow's mode (``"RGB"``, ``"L"``, ``"I;16"``, …).
        data_range: 255.0 for 8-bit images, 65535.0 for 16-bit ones.
    """

    path: Path
    width: int
    height: int
    mode: str
    data_range: float

    @property
    def size_text(self) -> str:
        """``"WxH"`` for messages."""
        return f"{self.width}x{self.height}"


def _unreadable(path: Path, error: Exception) -> str:
    return f"cannot read image {path}: {type(error).__name__}: {error}"


def _raw_modes(image: Image.Image) -> list[str]:
    """The decoder raw modes (e.g. ``"RGB;16B"``), which reveal bits that ``mode`` may hide."""
    modes: list[str] = []
    for tile in getattr(image, "tile", []):
        args = tile[3]
        if isinstance(args, str):
            modes.append(args)
        elif isinstance(args, tuple) and args and isinstance(args[0], str):
            modes.append(args[0])
    return modes


def _header_of(path: Path, image: Image.Image) -> ImageHeader:
    mode = image.mode
    if mode in _UNSUPPORTED_MODES:
        msg = (
            f"image {path} has {_UNSUPPORTED_MODES[mode]} pixels (Pillow mode {mode!r}); "
            "GAN-Engine reads 8-bit images and 16-bit grayscale images"
        )
        raise InputError(msg)
    if mode in _SIXTEEN_BIT_MODES:
        data_range = 65535.0
    elif any(";16" in raw for raw in _raw_modes(image)):
        # Pillow decodes 16-bit colour into 8-bit modes by dropping the low byte: refuse, not
        # truncate silently.
        msg = (
            f"image {path} has 16-bit colour channels, which Pillow truncates to 8 bits; "
            "convert it to 8-bit colour or 16-bit grayscale"
        )
        raise InputError(msg)
    else:
        data_range = 255.0
    width, height = image.size
    return ImageHeader(path=path, width=width, height=height, mode=mode, data_range=data_range)


def probe_image(path: str | Path) -> ImageHeader:
    """Read an image's header (size, mode, bit depth) without decoding pixels.

    Raises:
        InputError: the file is missing, not an image, has a corrupt header or an unsupported mode.
    """
    path = Path(path)
    try:
        with Image.open(path) as image:
            header = _header_of(path, image)
    except InputError:
        raise
    except Exception as error:  # Pillow reports bad files with many exception types
        raise InputError(_unreadable(path, error)) from error
    return header


def probe_images(paths: Iterable[str | Path]) -> list[ImageHeader]:
    """Probe every file, in order; the first bad file raises :class:`InputError` naming it."""
    return [probe_image(path) for path in paths]


def common_data_range(headers: Sequence[ImageHeader]) -> float:
    """The data range all images share; mixed bit depths raise :class:`InputError` naming files."""
    by_range: dict[float, list[Path]] = {}
    for header in headers:
        by_range.setdefault(header.data_range, []).append(header.path)
    if len(by_range) == 1:
        return next(iter(by_range))
    if not by_range:
        msg = "no images to take a data range from"
        raise InputError(msg)
    groups = "; ".join(
        f"max {value:g}: {', '.join(str(p) for p in paths)}" for value, paths in by_range.items()
    )
    msg = f"images of one dataset must share a bit depth, found several: {groups}"
    raise InputError(msg)


def _own_bands(image: Image.Image) -> Image.Image:
    """``image`` in a mode whose bands it keeps: palette, bilevel and CMYK become RGB(A) or L."""
    if image.mode in _KEPT_MODES:
        return image
    alpha = "A" in image.getbands() or "transparency" in image.info
    return image.convert("RGBA" if alpha else ("L" if image.mode == "1" else "RGB"))


def _pixels(image: Image.Image, header: ImageHeader, color: ColorMode | None) -> PixelArray:
    if header.data_range == 255.0:
        converted = (
            _own_bands(image) if color is None else image.convert("RGB" if color == "rgb" else "L")
        )
        array = np.asarray(converted, dtype=np.uint8)
    else:
        array = np.asarray(image).astype(np.uint16)  # native byte order whatever the file's
        if color == "rgb":
            array = np.repeat(array[..., None], 3, axis=-1)
    if array.ndim == 2:
        array = array[..., None]
    return np.ascontiguousarray(array.transpose(2, 0, 1))


def read_image_array(path: str | Path, color: ColorMode | None) -> PixelArray:
    """Decode an image into ``[C, H, W]`` uint8 or uint16 pixels (``C`` = 3 for rgb, 1 for gray).

    ``color=None`` keeps the file's own bands (L: 1, LA: 2, RGB: 3, RGBA: 4; palette, bilevel and
    CMYK images become RGB/RGBA or L), as prediction reads them.

    Raises:
        InputError: the file cannot be decoded or has an unsupported pixel format.
    """
    path = Path(path)
    try:
        with Image.open(path) as image:
            header = _header_of(path, image)
            array = _pixels(image, header, color)
    except InputError:
        raise
    except Exception as error:  # Pillow reports bad files with many exception types
        raise InputError(_unreadable(path, error)) from error
    return array


def read_image(path: str | Path, color: ColorMode) -> tuple[Tensor, float]:
    """Decode an image into a float32 ``[C, H, W]`` tensor in its native units and its data range.

    8-bit files give ``0..255`` and data range 255; 16-bit grayscale ``0..65535`` and 65535.
    """
    array = read_image_array(path, color)
    data_range = 255.0 if array.dtype == np.uint8 else 65535.0
    return torch.from_numpy(array.astype(np.float32)), data_range


def open_image(path: Path) -> ArraySource:
    """Decode ``path`` into an in-memory source ``[C, H, W]`` with the file's own bands.

    The pixels are those of the training reader :func:`read_image_array` with ``color=None``.
    """
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        msg = f"{path}: not an image suffix Pillow is used for ({', '.join(_FORMATS)})"
        raise InputError(msg)

    def create(target: Path, layout: OutputLayout) -> RasterSink:
        check_in_memory(target, layout, fmt)
        return ArraySink(layout, lambda array: save_image(array, target, fmt))

    return ArraySource(read_image_array(path, None), path, None, create)


def save_image(array: npt.NDArray[Any], target: Path, fmt: str) -> None:
    """Write ``[C, H, W]`` uint8 (1–4 bands) or uint16 (1 band) atomically in ``fmt``."""
    pixels = array.transpose(1, 2, 0)
    if pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    image = Image.fromarray(np.ascontiguousarray(pixels))
    temporary = temporary_beside(target, target.suffix)
    try:
        options: dict[str, Any] = {"quality": 95} if fmt == "JPEG" else {}
        image.save(temporary, format=fmt, **options)
        publish(temporary, target)
    except BaseException:
        discard(temporary)
        raise
