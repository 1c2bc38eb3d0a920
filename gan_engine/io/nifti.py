"""NIfTI volumes (``.nii``, ``.nii.gz``) through nibabel: read window by window, written whole.

Volumes are ``(i, j, k)`` or ``(i, j, k, c)`` (bands last). Models see them as ``[C, k, j, i]``, the
axis convention of the training reader :mod:`gan_engine.data.nifti` (``D = k``, ``H = j``, ``W = i``):
a 3D model sees the volume as it was trained on it, and a 2D model super-resolves the ``k`` slices one
by one, each as ``[C, j, i]`` like a 2D view of a training volume. Reads slice nibabel's array
proxy, so an uncompressed ``.nii`` is never loaded whole. The output keeps the header with voxels
``scale`` times smaller along the upsampled axes; its affine maps the new voxel centres into the
same physical space (the first voxel centre moves by ``(1/scale - 1)/2`` of an input voxel).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.errors import InputError
from gan_engine.io.memory import ArraySink
from gan_engine.io.optional import require

NIFTI_SUFFIXES: tuple[str, ...] = (".nii", ".nii.gz")


class NiftiSource:
    """A NIfTI volume seen as ``[C, k, j, i]``: one volume (3D models) or ``k`` slices (2D models)."""

    def __init__(self, path: Path) -> None:
        nibabel = require("nibabel", "medical", path)
        try:
            self.image: Any = nibabel.load(path)
            volume_shape = tuple(int(n) for n in self.image.shape)
        except Exception as error:  # nibabel raises many types for bad files
            msg = f"cannot read NIfTI {path}: {type(error).__name__}: {error}"
            raise InputError(msg) from error
        if len(volume_shape) not in (3, 4):
            msg = f"NIfTI {path} has shape {volume_shape}; expected (i, j, k) or (i, j, k, c)"
            raise InputError(msg)
        self.path = path
        self.banded = len(volume_shape) == 4
        channels = volume_shape[3] if self.banded else 1
        # axes of the volume in the order of S, the same for 2D and 3D models: training reads (k, j, i)
        self.order: tuple[int, ...] = (2, 1, 0)
        self.shape: tuple[int, ...] = (channels, *(volume_shape[a] for a in self.order))
        proxy = self.image.dataobj
        scaled = _has_scaling(proxy)
        self.dtype: np.dtype[Any] = (
            np.dtype(np.float32) if scaled else np.dtype(self.image.get_data_dtype())
        )
        self.nodata: float | None = None

    def read(self, window: Window) -> npt.NDArray[Any]:
        """Values ``[C, *window sizes]``."""
        index: list[slice] = [slice(None)] * 3
        for axis, span in zip(self.order, window, strict=True):
            index[axis] = span
        block = np.asarray(self.image.dataobj[tuple(index)])
        if not self.banded:
            block = block[..., None]
        # volume axes (i, j, k, c) → (c, k, j, i). nibabel's blocks are Fortran-ordered and may be
        # read-only, so the transposed view is copied into a C-ordered array the caller may write.
        return np.array(block.transpose(3, *self.order), dtype=self.dtype, order="C")

    def georeference(self) -> tuple[str, Any] | None:
        """``("affine", rows)``: the voxel-to-world affine, rounded to 1e-6."""
        affine = np.asarray(self.image.affine, dtype=np.float64)
        return "affine", tuple(tuple(round(float(v), 6) for v in row) for row in affine)

    def create_sink(self, target: Path, layout: OutputLayout) -> RasterSink:
        """An in-memory output, saved as NIfTI with the rescaled header and affine on commit."""

        def save(result: npt.NDArray[Any]) -> None:
            inverse = np.argsort(self.order)
            volume = result.transpose(*(1 + int(a) for a in inverse), 0)
            if not self.banded:
                volume = volume[..., 0]
            scaled_axes = [self.order[i] for i, up in enumerate(layout.scaled) if up]
            self._save(volume, target, layout.scale, scaled_axes)

        return ArraySink(layout, save)

    def _save(
        self, volume: npt.NDArray[Any], target: Path, scale: int, scaled_axes: list[int]
    ) -> None:
        affine = np.asarray(self.image.affine, dtype=np.float64)
        step = np.eye(4)
        for axis in scaled_axes:
            step[axis, axis] = 1 / scale
            step[axis, 3] = (1 / scale - 1) / 2
        header = self.image.header.copy()
        zooms = list(header.get_zooms())
        for axis in scaled_axes:
            zooms[axis] = zooms[axis] / scale
        header.set_data_shape(volume.shape)
        header.set_zooms(zooms)
        header.set_data_dtype(volume.dtype)
        output = type(self.image)(volume, affine @ step, header=header)
        output.header.set_slope_inter(1.0, 0.0)
        suffix = ".nii.gz" if target.name.endswith(".gz") else ".nii"
        temporary = temporary_beside(target, suffix)
        try:
            output.to_filename(str(temporary))
            publish(temporary, target)
        except BaseException:
            discard(temporary)
            raise

    def close(self) -> None:
        """Release the image (nibabel opens the file per read)."""


def _has_scaling(proxy: Any) -> bool:
    slope = getattr(proxy, "slope", 1.0)
    inter = getattr(proxy, "inter", 0.0)
    return not (slope in (1.0, None) or np.isnan(slope)) or not (
        inter in (0.0, None) or np.isnan(inter)
    )
