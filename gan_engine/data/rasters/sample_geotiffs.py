"""Built-in multispectral sample data: 4-band uint16 GeoTIFFs made from scikit-image's photos.

Each photo becomes one scene with bands R, G, B (the photo's channels) and a synthetic near-infrared
band (bright where the photo is green, dark where it is blue, like vegetation and water), scaled to
Sentinel-2 L2A-like reflectance: valid values lie in ``1..10000`` and 0 is the nodata value. A
triangular corner of each scene (a swath edge, as in real Sentinel-2 tiles) is nodata. Scenes are
georeferenced in UTM zone 33N (``EPSG:32633``) with 10 m pixels, side by side. Everything is
deterministic: the same photos give byte-identical files, so a cache can be trusted.

``scripts/make_sample_geotiff.py`` and the ``sample_multispectral`` dataset both call
:func:`write_sample_geotiffs`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from gan_engine.data.files import available_sample_photos
from gan_engine.errors import DataError
from gan_engine.io.geotiff import write_geotiff
from gan_engine.io.raster_header import GeoTransform

SAMPLE_CRS = "EPSG:32633"
PIXEL_SIZE = 10.0
"""Metres per pixel."""
NODATA = 0
REFLECTANCE_MAX = 10000
SAMPLE_BANDS: tuple[str, ...] = ("red", "green", "blue", "nir")
CACHE_VERSION = "v1"
"""Bump when the generated files change, so stale caches are not reused."""


def default_cache_folder() -> Path:
    """``$XDG_CACHE_HOME/gan-engine/sample_multispectral-<version>`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gan-engine" / f"sample_multispectral-{CACHE_VERSION}"


def reflectance_bands(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint16]:
    """R, G, B and synthetic NIR ``[4, H, W]`` uint16 reflectance in ``1..10000`` from ``[H, W, 3]``."""
    colour = rgb.astype(np.float64).transpose(2, 0, 1) / 255.0
    red, green, blue = colour
    nir = np.clip(0.15 + 0.9 * green - 0.35 * blue + 0.2 * red, 0.0, 1.0)
    bands = np.stack([red, green, blue, nir])
    # 1..10000: 0 stays free as the nodata value.
    return np.rint(1.0 + bands * (REFLECTANCE_MAX - 1)).astype(np.uint16)


def nodata_corner(height: int, width: int) -> npt.NDArray[np.bool_]:
    """True in the top-left triangle ``row/height + col/width < 0.25`` (the swath edge)."""
    rows = np.arange(height)[:, None] / height
    cols = np.arange(width)[None, :] / width
    return np.asarray(rows + cols < 0.25)


def scene_transform(index: int) -> GeoTransform:
    """Scene ``index``'s affine transform: 10 m pixels, scenes 20 km apart from west to east."""
    west = 300_000.0 + index * 20_000.0
    north = 5_100_000.0
    return (PIXEL_SIZE, 0.0, west, 0.0, -PIXEL_SIZE, north)


def sample_scene(photo: Path) -> npt.NDArray[np.uint16]:
    """The ``[4, H, W]`` uint16 scene of one photo, nodata corner included."""
    with Image.open(photo) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    bands = reflectance_bands(rgb)
    bands[:, nodata_corner(*bands.shape[1:])] = NODATA
    return bands


def write_sample_geotiffs(folder: str | Path, names: Sequence[str] | None = None) -> list[Path]:
    """Write ``<name>.tif`` for each photo name (all available photos by default) into ``folder``.

    Existing files are kept (they are deterministic); new ones are written to a temporary name and
    renamed, so concurrent writers never expose a half-written file.

    Raises:
        DataError: an unknown photo name.
    """
    folder = Path(folder)
    photos = available_sample_photos()
    wanted = list(photos) if names is None else list(names)
    unknown = [name for name in wanted if name not in photos]
    if unknown:
        msg = f"unknown sample photos {unknown}; available: {list(photos)}"
        raise DataError(msg)
    folder.mkdir(parents=True, exist_ok=True)
    order = list(photos)
    paths = []
    for name in wanted:
        target = folder / f"{name}.tif"
        if not target.exists():
            scene = sample_scene(photos[name])
            temporary = folder / f".{name}.{os.getpid()}.tmp.tif"
            write_geotiff(
                temporary,
                scene,
                crs=SAMPLE_CRS,
                transform=scene_transform(order.index(name)),
                nodata=NODATA,
            )
            temporary.replace(target)
        paths.append(target)
    return paths
