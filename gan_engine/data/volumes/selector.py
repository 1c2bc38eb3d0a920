"""The selectors behind the volume, microscopy and video datasets: sources in, datasets out.

:class:`FolderSourceSelector` is the base of a folder dataset: it splits the folder's files, opens
each as sources (the one thing a concrete dataset says) and prepares them.

A concrete selector opens its files as ``[C, D, H, W]`` sources, passes them through
:func:`prepare_sources` (channel check, optional cache, intensity mapping), cuts train/val views,
and hands both lists to :class:`SourceSelector`. In 2D every depth slice (page, frame) becomes an
image; in 3D sources are volumes. Everything is checked when the selector is built, so a bad file or
a patch larger than a volume fails before training starts, never inside a DataLoader worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gan_engine.data.source_files import split_files
from gan_engine.data.sources import ArraySource, MemorySource, RegionView, frames, load
from gan_engine.data.transforms.intensity import MappedSource, fit_intensity
from gan_engine.data.unreadable import UnreadableFiles, UnreadablePolicy, open_readable
from gan_engine.data.volumes.datasets import HRPatchDataset, HRTileGridDataset, check_sources
from gan_engine.data.volumes.params import FolderPatchParams, PatchParams, patch_mode
from gan_engine.errors import DataError
from gan_engine.types import BuildContext, SpatialDims


def raise_param_errors(params: PatchParams, context: BuildContext) -> None:
    """Raise the first of ``params.check(context)``'s errors, if any."""
    for error in params.check(context):
        raise error


def prepare_sources(
    sources: Sequence[ArraySource], params: PatchParams, channels: int
) -> tuple[list[MappedSource], float, bool]:
    """Check channels, cache if asked, and map intensities of whole files.

    Returns the mapped sources (float32 in ``[0, data_range]``), the common ``data_range`` and
    whether LR is quantised (``params.quantise``, or by default: ``raw`` integer data).

    Raises:
        DataError: a file whose channel count is not ``channels``, or files whose ``raw`` ranges
            differ (e.g. uint8 and uint16 mixed), naming them.
    """
    mapped: list[MappedSource] = []
    for source in sources:
        if source.shape[0] != channels:
            msg = (
                f"{source.label} has {source.shape[0]} channel(s), the run has channels={channels}"
            )
            raise DataError(msg)
        stored = load(source) if params.cache and not isinstance(source, MemorySource) else source
        intensity = fit_intensity(
            stored,
            params.intensity,
            data_range=params.data_range,
            percentiles=params.percentiles,
            window=params.window,
        )
        mapped.append(MappedSource(stored, intensity))
    ranges: dict[float, list[str]] = {}
    for source in mapped:
        ranges.setdefault(source.intensity.data_range, []).append(source.label)
    if len(ranges) > 1:
        groups = "; ".join(f"{top:g}: {', '.join(labels)}" for top, labels in ranges.items())
        msg = f"files of one dataset must share a data range (set data_range), found {groups}"
        raise DataError(msg)
    if not mapped:
        msg = "no files to read"
        raise DataError(msg)
    integer = all(np.issubdtype(source.source.dtype, np.integer) for source in mapped)
    quantise = (
        params.quantise
        if params.quantise is not None
        else bool(params.intensity == "raw" and integer)
    )
    return mapped, next(iter(ranges)), quantise


def hold_out_end(
    source: ArraySource, axis: int, count: int, key: str, unit: str, name: str
) -> tuple[RegionView, RegionView]:
    """Training and validation views of one source: the last ``count`` positions along ``axis``.

    Args:
        source: a ``[C, D, H, W]`` source.
        axis: the spatial axis to cut (0: depth, 1: rows, 2: columns).
        count: positions held out for validation.
        key: the parameter that set ``count``, for the message.
        unit: what a position is called (``"frames"``, ``"columns"``).
        name: the file, for the message.

    Raises:
        DataError: ``count`` leaves nothing to train on.
    """
    spatial = source.shape[1:]
    size = spatial[axis]
    cut = size - count
    if cut < 1:
        msg = f"{key} {count} leaves no training {unit} of {name} ({size})"
        raise DataError(msg)

    def view(start: int, stop: int) -> RegionView:
        box = tuple((start, stop) if i == axis else (0, n) for i, n in enumerate(spatial))
        return RegionView(source, box, f"{unit} {start}-{stop - 1}")

    return view(0, cut), view(cut, size)


class SourceSelector:
    """Training patches and validation tiles over prepared ``[C, D, H, W]`` sources.

    Args:
        context: the run's dims, channels and scale.
        params: patch, degradation and augmentation parameters.
        train: training sources (already prepared, values in ``[0, data_range]``).
        val: validation sources.
        data_range: the sample range's top.
        quantise: round LR to integers.
        frame_word: what a depth slice is called in messages in 2D (``"page"``, ``"frame"``).

    Raises:
        DataError: a source smaller than a patch or tile, naming it and the sizes.
    """

    spatial_dims: SpatialDims
    channels: int
    scale: int
    data_range: float

    def __init__(
        self,
        context: BuildContext,
        params: PatchParams,
        train: Sequence[ArraySource],
        val: Sequence[ArraySource],
        *,
        data_range: float,
        quantise: bool,
        frame_word: str = "slice",
    ) -> None:
        raise_param_errors(params, context)
        self.spatial_dims = context.spatial_dims
        self.channels = context.channels
        self.scale = context.scale
        self.data_range = data_range
        self.quantise = quantise
        self.params = params
        if context.spatial_dims == 2:
            train = [frame for source in train for frame in frames(source, frame_word)]
            val = [frame for source in val for frame in frames(source, frame_word)]
        self.train_sources = list(train)
        self.val_sources = list(val)
        self.patch = params.patch(context.spatial_dims)
        self.val_tile = params.val_tile(context.spatial_dims)
        check_sources(self.train_sources, self.patch, "training")
        check_sources(self.val_sources, self.val_tile, "validation")

    def train_dataset(self) -> HRPatchDataset:
        """A fresh training dataset of random patches (see :class:`HRPatchDataset`)."""
        p = self.params
        return HRPatchDataset(
            self.train_sources,
            scale=self.scale,
            patch=self.patch,
            data_range=self.data_range,
            degradation=patch_mode(p.degradation),
            augment=p.augment,
            samples_per_epoch=p.samples_per_epoch,
            seed=p.seed,
            quantise=self.quantise,
        )

    def val_dataset(self) -> HRTileGridDataset:
        """A fresh validation dataset of fixed tiles (see :class:`HRTileGridDataset`)."""
        return HRTileGridDataset(
            self.val_sources,
            scale=self.scale,
            tile=self.val_tile,
            data_range=self.data_range,
            degradation=patch_mode(self.params.degradation),
            quantise=self.quantise,
            skip_flat=self.params.val_skip_flat,
        )


class FolderSourceSelector(SourceSelector):
    """A folder dataset: training and validation files split, opened as sources and prepared.

    Subclasses say how one file opens (:meth:`open_file`) and what files, a file and a depth slice
    are called in messages (``noun``, ``what``, ``frame_word``). Files that cannot be opened (or
    read whole, when cached) fail or are skipped by ``params.unreadable``; ``train_files`` and
    ``val_files`` list the files kept with their sources.

    Args:
        spatial_dims: 2 (depth slices as images) or 3 (volumes).
        channels: the run's channel count; every source must have it.
        scale: the SR factor.
        params: folder, patch, degradation and intensity parameters.

    Raises:
        InvalidParamError: the first parameter problem.
        DataError: an unreadable file, a wrong channel count, or training and validation files
            whose data ranges differ.
    """

    noun = "files"
    what = "file"
    frame_word = "slice"

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: FolderPatchParams
    ) -> None:
        context = BuildContext(spatial_dims=spatial_dims, channels=channels, scale=scale)
        raise_param_errors(params, context)
        train_files, val_files = split_files(
            params.root, params.val_root, params.val_count, params.extensions
        )
        self.unreadable: UnreadablePolicy = params.unreadable
        self.unreadable_files = UnreadableFiles()
        self.train_files = self._open(train_files, params)
        self.val_files = self._open(val_files, params)
        train, data_range, quantise = prepare_sources(
            [source for _, sources in self.train_files for source in sources], params, channels
        )
        val, val_range, _ = prepare_sources(
            [source for _, sources in self.val_files for source in sources], params, channels
        )
        if val_range != data_range:
            msg = (
                f"training {self.noun} have data range {data_range:g}, "
                f"validation {self.noun} {val_range:g}"
            )
            raise DataError(msg)
        super().__init__(
            context,
            params,
            train,
            val,
            data_range=data_range,
            quantise=quantise,
            frame_word=self.frame_word,
        )

    def open_file(self, path: Path) -> list[ArraySource]:
        """The sources one file holds (usually one; a 4D NIfTI may give several)."""
        raise NotImplementedError

    def _open(
        self, files: Sequence[Path], params: FolderPatchParams
    ) -> list[tuple[Path, list[ArraySource]]]:
        """The readable files and their sources (read whole when cached), in order."""

        def open_one(path: Path) -> tuple[Path, list[ArraySource]]:
            sources = self.open_file(path)
            return path, [load(source) for source in sources] if params.cache else sources

        return open_readable(files, open_one, params.unreadable, self.what, self.unreadable_files)
