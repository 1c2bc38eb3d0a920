"""Hole masks stored as files, one per image or volume, paired by file stem and checked.

A mask file for ``scene.tif`` is the file in the mask folder whose stem is ``scene`` plus an optional
suffix (``scene_mask.png`` with ``suffix: _mask``). Any non-zero value is a hole. Masks are read with
the same readers, and so the same axis conventions, as the images: PNG/BMP/JPEG/TIFF images,
GeoTIFF rasters (whose CRS and transform must equal the image's), NIfTI volumes (whose affine must
equal the image's) and ``.npy`` arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from gan_engine.errors import DataError
from gan_engine.io.geotiff import probe_geotiff, read_geotiff_window
from gan_engine.io.images import read_image_array
from gan_engine.io.nifti import NiftiSource

HOLE_FILE_EXTENSIONS: tuple[str, ...] = (".png", ".bmp", ".tif", ".tiff", ".nii", ".nii.gz", ".npy")
"""Mask file types, checked in this order when several share a stem."""

_AFFINE_TOLERANCE = 1e-6


def file_stem(path: Path) -> str:
    """``path``'s name without its extension; ``.nii.gz`` counts as one extension."""
    name = path.name
    return name[: -len(".nii.gz")] if name.lower().endswith(".nii.gz") else path.stem


def pair_hole_files(images: Sequence[Path], folder: Path, suffix: str = "") -> dict[Path, Path]:
    """The mask file of every image: ``folder / (stem + suffix + extension)``.

    Raises:
        DataError: the folder is missing, or some images have no mask file (all of them listed).
    """
    if not folder.is_dir():
        msg = f"mask folder {folder} does not exist or is not a folder"
        raise DataError(msg)
    by_stem: dict[str, Path] = {}
    for candidate in sorted(folder.iterdir()):
        lower = candidate.name.lower()
        if candidate.is_file() and lower.endswith(HOLE_FILE_EXTENSIONS):
            by_stem.setdefault(file_stem(candidate), candidate)
    paired: dict[Path, Path] = {}
    missing: list[str] = []
    for image in images:
        mask = by_stem.get(file_stem(image) + suffix)
        if mask is None:
            missing.append(f"{image.name} (expected {file_stem(image)}{suffix}.<ext> in {folder})")
        else:
            paired[image] = mask
    if missing:
        msg = f"{len(missing)} image(s) have no mask file: " + "; ".join(missing)
        raise DataError(msg)
    return paired


def read_hole_file(path: Path) -> Tensor:
    """A mask file as holes ``[1, *S]`` (float32, 1 where the file is non-zero).

    A mask with several channels is a hole where any channel is non-zero.
    """
    array = _read_array(path)
    holes = torch.from_numpy(np.ascontiguousarray(array != 0)).to(torch.float32)
    return holes.amax(dim=0, keepdim=True)


def check_holes(
    holes: Tensor, image_shape: Sequence[int], mask_path: Path, image_path: Path
) -> None:
    """Refuse a mask whose spatial shape differs from the image's, or that leaves nothing known.

    ``holes`` is ``[1, *S]``; ``image_shape`` is the image's ``[C, *S]``.
    """
    if tuple(holes.shape[1:]) != tuple(image_shape[1:]):
        msg = (
            f"mask {mask_path} has spatial shape {tuple(holes.shape[1:])} but its image "
            f"{image_path} has {tuple(image_shape[1:])}"
        )
        raise DataError(msg)
    if bool((holes > 0.5).all()):
        msg = f"mask {mask_path} marks every pixel of {image_path} as missing; nothing to fill from"
        raise DataError(msg)


def check_georeference(mask_path: Path, image_path: Path) -> None:
    """Refuse a mask whose georeference differs from its image's.

    GeoTIFF masks must have the image's CRS and transform (plain TIFF masks, with neither, pass);
    NIfTI masks must have the image's affine.
    """
    if _is_nifti(mask_path) and _is_nifti(image_path):
        mask_affine, image_affine = _nifti_affine(mask_path), _nifti_affine(image_path)
        if not np.allclose(mask_affine, image_affine, atol=_AFFINE_TOLERANCE):
            msg = (
                f"mask {mask_path} has affine {mask_affine.tolist()} but its image {image_path} "
                f"has {image_affine.tolist()}"
            )
            raise DataError(msg)
        return
    if _is_tiff(mask_path) and _is_tiff(image_path):
        mask, image = probe_geotiff(mask_path), probe_geotiff(image_path)
        if mask.crs is None and mask.transform is None:
            return  # a plain TIFF mask: pixel grid only (checked by shape)
        for what, mine, theirs in (
            ("CRS", mask.crs, image.crs),
            ("transform", mask.transform, image.transform),
        ):
            if mine != theirs:
                msg = f"mask {mask_path} has {what} {mine} but its image {image_path} has {theirs}"
                raise DataError(msg)


def _is_nifti(path: Path) -> bool:
    return path.name.lower().endswith((".nii", ".nii.gz"))


def _is_tiff(path: Path) -> bool:
    return path.suffix.lower() in (".tif", ".tiff")


def _nifti_affine(path: Path) -> np.ndarray:
    import nibabel  # an optional extra: imported only for NIfTI masks
    from nibabel.spatialimages import SpatialImage

    try:
        image = nibabel.load(str(path))
    except Exception as error:  # nibabel raises several types for bad files
        msg = f"cannot read NIfTI file {path}: {type(error).__name__}: {error}"
        raise DataError(msg) from error
    if not isinstance(image, SpatialImage) or image.affine is None:
        msg = f"NIfTI file {path} has no affine"
        raise DataError(msg)
    return np.asarray(image.affine, dtype=np.float64)


def _read_array(path: Path) -> np.ndarray:
    """``[C, *S]`` with the readers' axis conventions (NIfTI: ``[C, D, H, W]``)."""
    if not path.is_file():
        msg = f"mask file {path} does not exist"
        raise DataError(msg)
    if _is_nifti(path):
        source = NiftiSource(path)
        return source.read(tuple((0, n) for n in source.shape[1:]))
    if path.suffix.lower() == ".npy":
        try:
            array: np.ndarray = np.load(path, allow_pickle=False)
        except Exception as error:  # numpy raises several types for bad files
            msg = f"cannot read mask {path}: {type(error).__name__}: {error}"
            raise DataError(msg) from error
        return array[None] if array.ndim in (2, 3) else array
    if _is_tiff(path):
        header = probe_geotiff(path)
        return read_geotiff_window(header, header.full_window())
    return read_image_array(path, "gray")
