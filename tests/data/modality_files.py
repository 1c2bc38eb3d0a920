"""Writers of small NIfTI, TIFF and GIF files for the volume, microscopy and video tests."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import nibabel as nib
import numpy as np
import tifffile


def ramp(shape: tuple[int, ...], dtype: type = np.int16) -> np.ndarray:
    """Distinct values 0, 1, 2, … in ``shape`` (so every voxel says where it came from)."""
    return np.arange(int(np.prod(shape))).reshape(shape).astype(dtype)


def write_nifti(path: Path, array: np.ndarray) -> Path:
    """Save ``array`` ``(i, j, k[, t])`` as NIfTI-1 (``.nii`` or ``.nii.gz`` by the name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = nib.Nifti1Image(array, affine=np.eye(4))
    image.header.set_data_dtype(array.dtype)
    nib.save(image, path)
    return path


def write_tiff(path: Path, array: np.ndarray, axes: str | None = None, **kwargs: object) -> Path:
    """Save ``array`` with tifffile; ``axes`` (e.g. ``"ZCYX"``) goes into the metadata."""
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"axes": axes} if axes else {}
    tifffile.imwrite(path, array, photometric="minisblack", metadata=metadata, **kwargs)
    return path


def write_gif(path: Path, frames: np.ndarray) -> Path:
    """Save ``[T, H, W, 3]`` (or ``[T, H, W]``) uint8 frames as an animated GIF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    iio.imwrite(path, frames, extension=".gif", duration=50, loop=0)
    return path


def few_colour_frames(count: int, height: int, width: int, seed: int) -> np.ndarray:
    """RGB frames drawn from 16 colours, which a GIF palette stores exactly."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    return palette[rng.integers(0, 16, (count, height, width))]
