"""NIfTI volumes (``.nii``, ``.nii.gz``) as ``[C, D, H, W]`` sources, read window by window.

Needs nibabel (the ``medical`` extra), imported only when a file is opened. Windows are sliced from
nibabel's array proxy (``img.dataobj[...]``), so a patch reads only its voxels from an uncompressed
``.nii`` (memory-mapped) and streams a ``.nii.gz`` without keeping the decompressed volume.

Axes: NIfTI stores voxels as ``(i, j, k[, t])``; sources present them as ``[C, D, H, W]`` with
``D = k`` (the slice axis of most acquisitions), ``H = j`` and ``W = i``, so in-plane quarter turns
stay in-plane. Values are the file's own: integer data stay integer, and data with a scale factor
(``scl_slope``/``scl_inter``) come out as floats scaled by nibabel. A 4D file's fourth axis (time,
or anything else) becomes channels or separate volumes (see :func:`nifti_sources`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np

from gan_engine.data.optional import missing_extra
from gan_engine.data.sources import Box, NativeArray, check_box
from gan_engine.errors import DataError

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
        raise DataError(msg) from error


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
        DataError: the file cannot be read (header, first or last voxel), is not 3D or 4D, or a
            volume index is out of range; the message names the file.
    """

    def __init__(self, path: str | Path, volumes: Sequence[int] | None = None) -> None:
        self.path = Path(path)
        image = _open(self.path)
        shape = tuple(int(size) for size in image.shape)
        if len(shape) not in (3, 4):
            msg = f"NIfTI file {self.path} has shape {shape}; expected a 3D or 4D volume"
            raise DataError(msg)
        count = shape[3] if len(shape) == 4 else 1
        picked = list(range(count)) if volumes is None else list(volumes)
        bad = [index for index in picked if not 0 <= index < count]
        if bad or not picked:
            msg = (
                f"NIfTI file {self.path} has {count} volume(s) along its fourth axis, "
                f"cannot select {picked}"
            )
            raise DataError(msg)
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
            raise DataError(msg)
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
        if self._image is None:
            self._image = _open(self.path)
        (d0, d1), (h0, h1), (w0, w1) = box
        spatial = (slice(w0, w1), slice(h0, h1), slice(d0, d1))
        proxy = self._image.dataobj
        try:
            if not self.is_4d:
                blocks = [np.asarray(proxy[spatial])]
            else:
                blocks = [np.asarray(proxy[(*spatial, index)]) for index in self.volumes]
        except Exception as error:  # truncated or corrupt data surface on reading
            msg = f"cannot read voxels of NIfTI file {self.path}: {type(error).__name__}: {error}"
            raise DataError(msg) from error
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
