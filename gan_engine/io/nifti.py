"""NIfTI volumes (``.nii``, ``.nii.gz``) through nibabel (``medical`` extra), read and written by windows.

Axes: NIfTI stores voxels as ``(i, j, k[, t])``. Training and prediction both present them as
``[C, D, H, W]`` with ``D = k`` (the slice axis of most acquisitions), ``H = j`` and ``W = i``, so
in-plane quarter turns stay in-plane, a 3D model sees at prediction the orientation it was trained on,
and a 2D model super-resolves the ``k`` slices one by one, each as ``[C, j, i]`` like a 2D view of a
training volume. Values are the file's own: integer data stay integer, and data with a scale factor
(``scl_slope``/``scl_inter``) come out as floats scaled by nibabel. Windows are sliced from nibabel's
array proxy (``img.dataobj[...]``), so a read touches only its voxels of an uncompressed ``.nii``
(memory-mapped) and streams a ``.nii.gz`` without keeping the decompressed volume.

Training (:class:`NiftiSource`, :func:`nifti_sources`): a 4D file's fourth axis (time, or anything
else) becomes channels or separate volumes.

Prediction (:class:`NiftiInput`): a 4D file's fourth axis is the bands ``C``. Outputs are written
slab by slab (:class:`NiftiSink`) in the file's own axis order ``(i, j, k[, c])``; the output keeps
the header with voxels ``scale`` times smaller along the upsampled axes, and its affine maps the new
voxel centres into the same physical space (the first voxel centre moves by ``(1/scale - 1)/2`` of an
input voxel), so the output overlays the input.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from gan_engine.io.atomic import discard, publish, temporary_beside
from gan_engine.io.base import OutputLayout, RasterSink, Window
from gan_engine.io.boxes import Box, NativeArray, check_box
from gan_engine.io.errors import InputError
from gan_engine.io.optional import missing_extra, require
from gan_engine.io.stream import RegionFile

NIFTI_SUFFIXES: tuple[str, ...] = (".nii", ".nii.gz")


FourthAxis: TypeAlias = Literal["volumes", "channels"]
FOURTH_AXIS_MODES: tuple[FourthAxis, ...] = ("volumes", "channels")
NIFTI_EXTENSIONS: tuple[str, ...] = ("nii", "nii.gz")


def _open(path: Path) -> Any:
    try:
        import nibabel
    except ImportError as error:
        raise missing_extra(error, feature="NIfTI support", extra="medical") from error
    try:
        return nibabel.load(path)
    except Exception as error:  # nibabel reports bad files with many exception types
        msg = f"cannot read NIfTI file {path}: {type(error).__name__}: {error}"
        raise InputError(msg) from error


def _label(path: Path, volumes: tuple[int, ...], *, whole: bool) -> str:
    if whole:
        return str(path)
    if len(volumes) == 1:
        return f"{path} (volume {volumes[0]})"
    return f"{path} (volumes {list(volumes)})"


class NiftiSource:
    """One NIfTI volume, or a selection of a 4D file's volumes as channels: ``[C, D, H, W]``.

    Args:
        path: the ``.nii``/``.nii.gz`` file.
        volumes: indices along a 4D file's fourth axis that become the channels (``None``: all of
            them); a 3D file has one channel and accepts ``None`` or ``[0]``.

    Raises:
        MissingExtraError: nibabel is not installed.
        InputError: the file cannot be read (header, first or last voxel), is not 3D or 4D, or a
            volume index is out of range; the message names the file.
    """

    def __init__(self, path: str | Path, volumes: Sequence[int] | None = None) -> None:
        self.path = Path(path)
        image = _open(self.path)
        shape = tuple(int(size) for size in image.shape)
        if len(shape) not in (3, 4):
            msg = f"NIfTI file {self.path} has shape {shape}; expected a 3D or 4D volume"
            raise InputError(msg)
        count = shape[3] if len(shape) == 4 else 1
        picked = list(range(count)) if volumes is None else list(volumes)
        bad = [index for index in picked if not 0 <= index < count]
        if bad or not picked:
            msg = (
                f"NIfTI file {self.path} has {count} volume(s) along its fourth axis, "
                f"cannot select {picked}"
            )
            raise InputError(msg)
        self.volumes = tuple(picked)
        self.volume_count = count
        self.is_4d = len(shape) == 4
        self.voxel_shape = shape[:3]
        self.zooms = tuple(float(zoom) for zoom in image.header.get_zooms()[:3])
        self._image: Any = image
        self._label = _label(self.path, self.volumes, whole=not self.is_4d or volumes is None)
        # Reading the first and the last voxel finds truncated or corrupt data now, not in a worker.
        first = self.read(((0, 1), (0, 1), (0, 1)))
        depth, height, width = self.shape[1:]
        self.read(((depth - 1, depth), (height - 1, height), (width - 1, width)))
        self._dtype = first.dtype

    def select(self, volumes: Sequence[int]) -> NiftiSource:
        """The same file with other volumes of its fourth axis as channels (no re-probe)."""
        bad = [index for index in volumes if not 0 <= index < self.volume_count]
        if bad or not volumes:
            msg = (
                f"NIfTI file {self.path} has {self.volume_count} volume(s) along its fourth "
                f"axis, cannot select {list(volumes)}"
            )
            raise InputError(msg)
        chosen = object.__new__(NiftiSource)
        chosen.__dict__.update(self.__dict__)  # shares the open image (copy.copy would drop it)
        chosen.volumes = tuple(volumes)
        chosen._label = _label(self.path, chosen.volumes, whole=False)
        return chosen

    def __getstate__(self) -> dict[str, Any]:
        # The nibabel image holds open file handles and memory maps: reopen it in each worker.
        state = self.__dict__.copy()
        state["_image"] = None
        return state

    @property
    def image(self) -> Any:
        """The nibabel image (reopened after pickling)."""
        if self._image is None:
            self._image = _open(self.path)
        return self._image

    @property
    def label(self) -> str:
        """The file, and the selected volumes when not all."""
        return self._label

    @property
    def shape(self) -> tuple[int, ...]:
        """``(C, D, H, W)`` = ``(volumes, k, j, i)``."""
        i, j, k = self.voxel_shape
        return (len(self.volumes), k, j, i)

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of values read (the file's, or float when the header scales values)."""
        return self._dtype

    def read(self, box: Box) -> NativeArray:
        """The window ``[C, d, h, w]`` of ``box`` = ``((d0, d1), (h0, h1), (w0, w1))``."""
        check_box(self, box)
        (d0, d1), (h0, h1), (w0, w1) = box
        spatial = (slice(w0, w1), slice(h0, h1), slice(d0, d1))
        proxy = self.image.dataobj
        try:
            if not self.is_4d:
                blocks = [np.asarray(proxy[spatial])]
            else:
                blocks = [np.asarray(proxy[(*spatial, index)]) for index in self.volumes]
        except Exception as error:  # truncated or corrupt data surface on reading
            msg = f"cannot read voxels of NIfTI file {self.path}: {type(error).__name__}: {error}"
            raise InputError(msg) from error
        return np.stack([block.transpose(2, 1, 0) for block in blocks])


def nifti_sources(
    path: str | Path, fourth_axis: FourthAxis = "volumes", volumes: Sequence[int] | None = None
) -> list[NiftiSource]:
    """Sources of one NIfTI file, probed once.

    A 3D file gives one single-channel source. A 4D file gives, for ``fourth_axis="volumes"``, one
    single-channel source per selected volume (time point), and for ``"channels"`` one source whose
    channels are the selected volumes. ``volumes`` selects indices along the fourth axis (``None``:
    all).
    """
    whole = NiftiSource(path, volumes)
    if not whole.is_4d or fourth_axis == "channels":
        return [whole]
    return [whole.select([index]) for index in whole.volumes]


class NiftiInput:
    """A NIfTI volume seen as ``[C, k, j, i]``: one volume (3D models) or ``k`` slices (2D models).

    Reads go through the training reader :class:`NiftiSource` (every volume of a 4D file as a band),
    so prediction sees the array training saw.
    """

    def __init__(self, path: Path) -> None:
        self.reader = NiftiSource(path)
        self.image: Any = self.reader.image
        self.path = path
        self.banded = self.reader.is_4d
        # axes of the volume in the order of S, the same for 2D and 3D models: training reads (k, j, i)
        self.order: tuple[int, ...] = (2, 1, 0)
        self.shape: tuple[int, ...] = self.reader.shape
        scaled = _has_scaling(self.image.dataobj)
        self.dtype: np.dtype[Any] = (
            np.dtype(np.float32) if scaled else np.dtype(self.image.get_data_dtype())
        )
        self.nodata: float | None = None

    def read(self, window: Window) -> npt.NDArray[Any]:
        """Values ``[C, *window sizes]``, C-ordered in a writable array."""
        box = tuple(
            span.indices(size)[:2] for span, size in zip(window, self.shape[1:], strict=True)
        )
        return np.array(self.reader.read(box), dtype=self.dtype, order="C")

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
