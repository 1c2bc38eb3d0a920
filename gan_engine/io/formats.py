"""Choosing a reader by file suffix; the output is written in the input's format."""

from __future__ import annotations

from pathlib import Path

from gan_engine.io.base import RasterSource
from gan_engine.io.errors import InputError
from gan_engine.io.geotiff import GeoTiffSource
from gan_engine.io.images import IMAGE_SUFFIXES, open_image
from gan_engine.io.nifti import NIFTI_SUFFIXES, NiftiInput
from gan_engine.io.npy import NpySource
from gan_engine.io.tiff import is_georeferenced, open_tiff
from gan_engine.io.video import VIDEO_SUFFIXES, open_video
from gan_engine.types import SpatialDims

TIFF_SUFFIXES: tuple[str, ...] = (".tif", ".tiff")
SUPPORTED_SUFFIXES: tuple[str, ...] = (
    *IMAGE_SUFFIXES,
    *TIFF_SUFFIXES,
    ".npy",
    *NIFTI_SUFFIXES,
    *VIDEO_SUFFIXES,
)
"""Every suffix :func:`open_input` reads (lower case)."""


def format_suffix(path: Path) -> str:
    """The suffix that names ``path``'s format, lower case (``.nii.gz`` counts as one)."""
    name = path.name.lower()
    return ".nii.gz" if name.endswith(".nii.gz") else path.suffix.lower()


def is_supported(path: Path) -> bool:
    """Whether :func:`open_input` has a reader for ``path``'s suffix."""
    return format_suffix(path) in SUPPORTED_SUFFIXES


def open_input(path: Path, spatial_dims: SpatialDims) -> RasterSource:
    """Open ``path`` as a ``[C, *S]`` source for a model with ``spatial_dims`` spatial axes.

    GeoTIFFs (TIFFs with geokeys) stream through rasterio, ``.npy`` through a memory map and NIfTI
    through nibabel's array proxy; photos, other TIFFs and videos (``[C, F, H, W]``) are decoded
    whole.

    Raises:
        InputError: the file is missing, unreadable, of an unsupported kind or layout, or needs an
            optional package that is not installed.
    """
    if not path.is_file():
        what = "does not exist" if not path.exists() else "is not a file"
        msg = f"input {path} {what}"
        raise InputError(msg)
    suffix = format_suffix(path)
    if suffix in IMAGE_SUFFIXES:
        return open_image(path)
    if suffix in TIFF_SUFFIXES:
        return GeoTiffSource(path) if is_georeferenced(path) else open_tiff(path)
    if suffix == ".npy":
        return NpySource(path, spatial_dims)
    if suffix in NIFTI_SUFFIXES:
        return NiftiInput(path)
    if suffix in VIDEO_SUFFIXES:
        return open_video(path)
    msg = f"input {path}: unsupported file type {suffix or '(no suffix)'}; supported: " + ", ".join(
        SUPPORTED_SUFFIXES
    )
    raise InputError(msg)
