"""The formats prediction reads (:data:`FORMATS`), chosen by file suffix; outputs keep the input's format.

Each format has one reader, used by training and prediction alike, and one axis convention; the table
in ``docs/concepts/io.md`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from gan_engine.io.arrays import NpySource
from gan_engine.io.base import RasterSource
from gan_engine.io.errors import InputError
from gan_engine.io.geotiff import GeoTiffSource
from gan_engine.io.images import IMAGE_SUFFIXES, open_image
from gan_engine.io.nifti import NIFTI_SUFFIXES, NiftiInput
from gan_engine.io.tiff import is_georeferenced, open_tiff
from gan_engine.io.video import VIDEO_SUFFIXES, open_video
from gan_engine.types import SpatialDims

TIFF_SUFFIXES: tuple[str, ...] = (".tif", ".tiff")


def _open_tiff(path: Path, spatial_dims: SpatialDims) -> RasterSource:
    return GeoTiffSource(path) if is_georeferenced(path) else open_tiff(path)


@attrs.frozen(kw_only=True)
class FileFormat:
    """One file format of the I/O layer: what training and prediction read from it, and how.

    Attributes:
        name: the format, for messages and docs.
        suffixes: lower-case suffixes prediction reads (``.nii.gz`` counts as one).
        axes: the one axis convention of the arrays read from it, training and prediction alike.
        spatial_dims: the spatial dimensions of the models that read it.
        training_reader: the training reader (module-qualified name).
        open: prediction's reader: a ``[C, *S]`` source for a model with that many spatial axes; it
            reads through the training reader.
    """

    name: str
    suffixes: tuple[str, ...]
    axes: str
    spatial_dims: tuple[SpatialDims, ...]
    training_reader: str
    open: Callable[[Path, SpatialDims], RasterSource]


FORMATS: tuple[FileFormat, ...] = (
    FileFormat(
        name="photo (PNG, JPEG, BMP, WebP)",
        suffixes=IMAGE_SUFFIXES,
        axes="[C, H, W]: bands, rows, columns",
        spatial_dims=(2,),
        training_reader="gan_engine.io.images.read_image_array",
        open=lambda path, _dims: open_image(path),
    ),
    FileFormat(
        name="TIFF: GeoTIFF, or an image or stack (microscopy)",
        suffixes=TIFF_SUFFIXES,
        axes="GeoTIFF [C, H, W]; stack [C, D, H, W] (D: Z, pages or time; dropped when absent)",
        spatial_dims=(2, 3),
        training_reader="gan_engine.io.geotiff.read_geotiff_window, gan_engine.io.tiff.TiffStackSource",
        open=_open_tiff,
    ),
    FileFormat(
        name="NumPy array",
        suffixes=(".npy",),
        axes="[C, *S] or S alone (one band); [C, F, H, W] frames for 2D models",
        spatial_dims=(2, 3),
        training_reader="gan_engine.io.arrays.read_array_window",
        open=NpySource,
    ),
    FileFormat(
        name="NIfTI",
        suffixes=NIFTI_SUFFIXES,
        axes="[C, D, H, W] = [C, k, j, i] of the file's (i, j, k[, c]); the output restores (i, j, k)",
        spatial_dims=(2, 3),
        training_reader="gan_engine.io.nifti.NiftiSource",
        open=lambda path, _dims: NiftiInput(path),
    ),
    FileFormat(
        name="video (GIF, MP4, MOV, AVI, MKV, WebM)",
        suffixes=VIDEO_SUFFIXES,
        axes="[C, T, H, W]: channels, frames, rows, columns",
        spatial_dims=(2, 3),
        training_reader="gan_engine.io.video.VideoSource",
        open=lambda path, _dims: open_video(path),
    ),
)
"""Every format prediction reads, with its axis convention and its training reader."""

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(suffix for fmt in FORMATS for suffix in fmt.suffixes)
"""Every suffix :func:`open_input` reads (lower case)."""


def file_format(path: Path) -> FileFormat | None:
    """The format of ``path`` by its suffix, or ``None`` when no reader takes it."""
    suffix = format_suffix(path)
    return next((fmt for fmt in FORMATS if suffix in fmt.suffixes), None)


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
    fmt = file_format(path)
    if fmt is not None:
        return fmt.open(path, spatial_dims)
    suffix = format_suffix(path)
    msg = f"input {path}: unsupported file type {suffix or '(no suffix)'}; supported: " + ", ".join(
        SUPPORTED_SUFFIXES
    )
    raise InputError(msg)
