"""Windows of the training readers: boxes of ``(start, stop)`` per spatial axis over ``[C, *S]`` arrays.

The training readers of :mod:`gan_engine.io` (:class:`~gan_engine.io.nifti.NiftiSource`,
:class:`~gan_engine.io.tiff.TiffStackSource`, :class:`~gan_engine.io.video.VideoSource`) read a
:data:`Box` and return the values inside it in the dtype the file stores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt

Box: TypeAlias = tuple[tuple[int, int], ...]
"""A window: ``(start, stop)`` per spatial axis, in the source's axis order."""

NativeArray: TypeAlias = npt.NDArray[Any]
"""Values ``[C, *S]`` in the dtype the file stores."""


class Boxed(Protocol):
    """What :func:`check_box` needs of a source: a label for messages and its ``(C, *S)`` shape."""

    @property
    def label(self) -> str:
        """The file (and the part of it) this source reads, for messages."""
        ...

    @property
    def shape(self) -> tuple[int, ...]:
        """``(C, *S)``: channels, then the spatial sizes."""
        ...


def full_box(shape: tuple[int, ...]) -> Box:
    """The box covering every voxel of a ``(C, *S)`` shape."""
    return tuple((0, size) for size in shape[1:])


def size_text(sizes: tuple[int, ...]) -> str:
    """Spatial sizes as ``"24x96x128"`` (in ``D x H x W`` / ``H x W`` order) for messages."""
    return "x".join(str(size) for size in sizes)


def check_box(source: Boxed, box: Box) -> None:
    """Raise ``ValueError`` unless ``box`` is a non-empty window inside ``source``."""
    spatial = source.shape[1:]
    inside = len(box) == len(spatial) and all(
        0 <= start < stop <= size for (start, stop), size in zip(box, spatial, strict=False)
    )
    if not inside:
        msg = f"window {box} is not inside {source.label} of size {size_text(spatial)}"
        raise ValueError(msg)


class FileSource:
    """What the one-file training readers share: the file as label, and the shape and dtype they set.

    Subclasses set ``path``, ``_shape`` (``(C, *S)``) and ``_dtype`` when they open the file.
    """

    path: Path
    _shape: tuple[int, ...]
    _dtype: np.dtype[Any]

    @property
    def label(self) -> str:
        """The file."""
        return str(self.path)

    @property
    def shape(self) -> tuple[int, ...]:
        """``(C, *S)``: channels, then the spatial sizes."""
        return self._shape

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype reads return (the file's)."""
        return self._dtype
