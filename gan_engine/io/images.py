"""Photos through Pillow (PNG, JPEG, BMP, WebP): decoded whole, written whole on commit.

Outputs over the memory budget are refused before any work (:func:`~gan_engine.io.memory.check_in_memory`).

8-bit images read as uint8 ``[C, H, W]`` (L: 1 band, LA: 2, RGB: 3, RGBA: 4; palette, bilevel and
CMYK images are converted to RGB/RGBA or L first), 16-bit grayscale as uint16 ``[1, H, W]``. Outputs
are written in the same mode; JPEG at quality 95.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink
from gan_engine.io.errors import InputError
from gan_engine.io.memory import ArraySink, ArraySource, check_in_memory

_KEPT_MODES = frozenset({"L", "LA", "RGB", "RGBA", "I;16", "I;16B", "I;16L", "I;16N"})
_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP", ".webp": "WEBP"}
IMAGE_SUFFIXES: tuple[str, ...] = tuple(_FORMATS)


def _decode(path: Path) -> npt.NDArray[Any]:
    try:
        with Image.open(path) as opened:
            opened.load()
            image: Image.Image = opened
            if image.mode not in _KEPT_MODES:
                alpha = "A" in image.getbands() or "transparency" in image.info
                image = image.convert("RGBA" if alpha else ("L" if image.mode == "1" else "RGB"))
            if image.mode.startswith("I;16"):
                array = np.asarray(image).astype(np.uint16)
            else:
                array = np.asarray(image)
    except Exception as error:  # Pillow reports bad files with many exception types
        msg = f"cannot read image {path}: {type(error).__name__}: {error}"
        raise InputError(msg) from error
    if array.ndim == 2:
        array = array[..., None]
    return np.ascontiguousarray(array.transpose(2, 0, 1))


def open_image(path: Path) -> ArraySource:
    """Decode ``path`` into an in-memory source ``[C, H, W]``."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        msg = f"{path}: not an image suffix Pillow is used for ({', '.join(_FORMATS)})"
        raise InputError(msg)

    def create(target: Path, layout: OutputLayout) -> RasterSink:
        check_in_memory(target, layout, fmt)
        return ArraySink(layout, lambda array: save_image(array, target, fmt))

    return ArraySource(_decode(path), path, None, create)


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
