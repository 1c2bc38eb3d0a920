"""NIfTI volumes (``.nii``, ``.nii.gz``) through nibabel: read and written window by window.

Volumes are ``(i, j, k)`` or ``(i, j, k, c)`` (bands last). Models see them as ``[C, k, j, i]``, the
axis convention of the training reader :mod:`gan_engine.data.nifti` (``D = k``, ``H = j``, ``W = i``):
a 3D model sees the volume as it was trained on it, and a 2D model super-resolves the ``k`` slices one
by one, each as ``[C, j, i]`` like a 2D view of a training volume. Reads slice nibabel's array
proxy, so an uncompressed ``.nii`` is never loaded whole; outputs are written slab by slab
(:class:`NiftiSink`). The output keeps the header with voxels
``scale`` times smaller along the upsampled axes; its affine maps the new voxel centres into the
same physical space (the first voxel centre moves by ``(1/scale - 1)/2`` of an input voxel).
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.errors import InputError
from gan_engine.io.optional import require
from gan_engine.io.stream import RegionFile

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
        """A NIfTI output with the rescaled header and affine, written slab by slab."""
        scaled_axes = [self.order[i] for i, up in enumerate(layout.scaled) if up]
        return NiftiSink(target, self.image, layout, scaled_axes, banded=self.banded)

    def close(self) -> None:
        """Release the image (nibabel opens the file per read)."""


def _has_scaling(proxy: Any) -> bool:
    slope = getattr(proxy, "slope", 1.0)
    inter = getattr(proxy, "inter", 0.0)
    return not (slope in (1.0, None) or np.isnan(slope)) or not (
        inter in (0.0, None) or np.isnan(inter)
    )


class NiftiSink:
    """Writes a NIfTI volume window by window: the header first, then voxels where they belong.

    NIfTI voxels are Fortran-ordered ``(i, j, k, c)``, which is the C order of ``[C, k, j, i]``,
    the sink's own layout: every window (a slab of ``k`` slices from a 3D model, a band of ``j``
    rows of one slice from a 2D model) is written straight into its place in an uncompressed file.
    A ``.nii.gz`` is compressed through a gzip stream on commit (nibabel's compression level), so
    memory stays at one window either way. The header is the input's with voxels ``scale`` times
    smaller along ``scaled_axes`` (volume axes), as nibabel would write it for the whole array.
    """

    def __init__(
        self,
        target: Path,
        source: Any,
        layout: OutputLayout,
        scaled_axes: list[int],
        *,
        banded: bool,
    ) -> None:
        nibabel = require("nibabel", "medical", target)
        channels, *spatial = layout.shape
        volume_shape = (*spatial[::-1], channels) if banded else tuple(spatial[::-1])
        scale = layout.scale
        affine = np.asarray(source.affine, dtype=np.float64)
        step = np.eye(4)
        for axis in scaled_axes:
            step[axis, axis] = 1 / scale
            step[axis, 3] = (1 / scale - 1) / 2
        header = source.header.copy()
        zooms = list(header.get_zooms())
        for axis in scaled_axes:
            zooms[axis] = zooms[axis] / scale
        header.set_data_shape(volume_shape)
        header.set_zooms(zooms)
        header.set_data_dtype(layout.dtype)
        # the header nibabel would write for the whole volume, built around a zero-stride stand-in
        stand_in = np.broadcast_to(np.zeros((), dtype=layout.dtype), volume_shape)
        output = type(source)(stand_in, affine @ step, header=header)
        output.header.set_slope_inter(1.0, 0.0)
        output.update_header()
        self.header: Any = output.header
        self.compress = target.name.lower().endswith(".gz")
        self.target = target
        self.banded = banded
        self.compress_level: int = nibabel.openers.Opener.default_compresslevel

        def create(temporary: Path) -> int:
            with temporary.open("wb") as file:
                self.header.write_to(file)
            return int(self.header.get_data_offset())

        self.file = RegionFile(
            target,
            ".nii",
            create,
            tuple(layout.shape) if banded else tuple(spatial),
            np.dtype(self.header.get_data_dtype()),
        )

    def write(self, window: Window, data: npt.NDArray[Any]) -> None:
        """Store ``data[C, *window sizes]`` at ``window`` (``k``, ``j``, ``i``)."""
        starts = tuple(span.start for span in window)
        if self.banded:
            self.file.write((0, *starts), data)
        else:
            self.file.write(starts, data[0])

    def commit(self) -> None:
        """Finish the file (compressing a ``.nii.gz``) and move it to its final name."""
        if not self.compress:
            self.file.commit()
            return
        plain = self.file.close()
        packed = temporary_beside(self.target, ".nii.gz")
        try:
            with (
                plain.open("rb") as source,
                packed.open("wb") as raw,
                gzip.GzipFile(self.target.name[:-3], "wb", self.compress_level, raw) as out,
            ):
                shutil.copyfileobj(source, out, 2**22)
            publish(packed, self.target)
        except BaseException:
            discard(packed)
            raise
        finally:
            discard(plain)

    def abort(self) -> None:
        """Remove the temporary file."""
        self.file.abort()
