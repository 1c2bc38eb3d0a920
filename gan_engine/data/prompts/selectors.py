"""Registered prompt corpora over a user's files: images, rasters and volumes paired with prompts.

``prompted_photos``, ``prompted_rasters`` and ``prompted_mri`` read what ``rgb_folder``,
``raster_folder`` and ``medical_mri`` read, with each file's prompt from a JSONL/CSV manifest or a
``.txt`` file beside it (:mod:`gan_engine.data.prompts.manifests`); a file without a prompt is an
error when the dataset is built. Each sample gets ``metadata = {"prompt", "id", ...}``
(:class:`PromptedSelector` holds the shared part; the parameters are in
:mod:`gan_engine.data.prompts.params`, the built-in samples in :mod:`gan_engine.data.prompts.samples`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gan_engine.data.photos.selectors import PHOTO_CAPABILITIES, RGBFolderSelector
from gan_engine.data.prompts.datasets import PromptedDataset, SourceIndexed
from gan_engine.data.prompts.params import (
    PromptedMRIParams,
    PromptedPhotosParams,
    PromptedRastersParams,
    Split,
    file_split,
)
from gan_engine.data.rasters.selectors import (
    RASTER_CAPABILITIES,
    RasterFolderSelector,
)
from gan_engine.data.unreadable import policy_of
from gan_engine.data.volumes.mri import (
    VOLUME_CAPABILITIES,
    MedicalMRISelector,
)
from gan_engine.protocols import DatasetSelector
from gan_engine.registry import register_dataset
from gan_engine.types import SpatialDims


def _indexed(dataset: object, what: str) -> SourceIndexed:
    if not isinstance(dataset, SourceIndexed):
        msg = (
            f"the {what} dataset {type(dataset).__name__} does not say which source an item is from"
        )
        raise TypeError(msg)
    return dataset


class PromptedSelector:
    """Another selector's datasets with a prompt per source (see :mod:`gan_engine.data.prompts.datasets`).

    Args:
        inner: the selector whose datasets are wrapped.
        train: prompt entries and ids of the training sources.
        val: prompt entries and ids of the validation sources.
        dropout: training prompt dropout probability.
        seed: seed of the dropout draws.
    """

    spatial_dims: SpatialDims
    channels: int
    scale: int
    data_range: float

    def __init__(
        self, inner: DatasetSelector, train: Split, val: Split, *, dropout: float, seed: int
    ) -> None:
        self.inner = inner
        self.unreadable, self.unreadable_files = policy_of(inner)
        self.spatial_dims = inner.spatial_dims
        self.channels = inner.channels
        self.scale = inner.scale
        self.data_range = inner.data_range
        self.train_split = train
        self.val_split = val
        self.dropout = dropout
        self.seed = seed

    def prompts(self) -> list[str]:
        """Every distinct prompt of both splits, and ``""`` when dropout can produce it."""
        texts = [entry.prompt for entry in self.train_split[0] + self.val_split[0]]
        if self.dropout > 0:
            texts.append("")
        return list(dict.fromkeys(texts))

    def ids(self) -> list[str]:
        """Every source id of both splits."""
        return list(dict.fromkeys(self.train_split[1] + self.val_split[1]))

    def train_dataset(self) -> PromptedDataset:
        """The inner training dataset with prompts, dropped with probability ``dropout``."""
        inner = _indexed(self.inner.train_dataset(), "training")
        entries, ids = self.train_split
        return PromptedDataset(inner, entries, ids, dropout=self.dropout, seed=self.seed)

    def val_dataset(self) -> PromptedDataset:
        """The inner validation dataset with prompts (never dropped)."""
        inner = _indexed(self.inner.val_dataset(), "validation")
        entries, ids = self.val_split
        return PromptedDataset(inner, entries, ids)


@register_dataset("prompted_photos", params=PromptedPhotosParams, capabilities=PHOTO_CAPABILITIES)
class PromptedPhotosSelector(PromptedSelector):
    """Photos from a folder paired with prompts from a manifest or ``.txt`` sidecars (2D)."""

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: PromptedPhotosParams
    ) -> None:
        inner = RGBFolderSelector(spatial_dims, channels, scale, params)
        super().__init__(
            inner,
            file_split(inner.train_paths, params.prompts),
            file_split(inner.val_paths, params.prompts),
            dropout=params.prompt_dropout,
            seed=params.seed,
        )


@register_dataset(
    "prompted_rasters", params=PromptedRastersParams, capabilities=RASTER_CAPABILITIES
)
class PromptedRastersSelector(PromptedSelector):
    """Multiband rasters from folders (as ``raster_folder``) paired with prompts, by HR file (2D)."""

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: PromptedRastersParams
    ) -> None:
        inner = RasterFolderSelector(spatial_dims, channels, scale, params)
        super().__init__(
            inner,
            file_split([scene.hr.path for scene in inner.train_scenes], params.prompts),
            file_split([scene.hr.path for scene in inner.val_scenes], params.prompts),
            dropout=params.prompt_dropout,
            seed=params.seed,
        )


@register_dataset("prompted_mri", params=PromptedMRIParams, capabilities=VOLUME_CAPABILITIES)
class PromptedMRISelector(PromptedSelector):
    """NIfTI volumes from a folder (as ``medical_mri``) paired with prompts, by file (3D).

    Every volume (time point) of a 4D file shares the file's prompt.
    """

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: PromptedMRIParams
    ) -> None:
        inner = MedicalMRISelector(spatial_dims, channels, scale, params)

        def per_source(opened: Sequence[tuple[Path, Sequence[object]]]) -> Split:
            # the sources are the readable files' volumes in order, as medical_mri opened them
            files = [path for path, _ in opened]
            entries, ids = file_split(files, params.prompts)
            counts = [len(sources) for _, sources in opened]
            return (
                [e for e, n in zip(entries, counts, strict=True) for _ in range(n)],
                [i for i, n in zip(ids, counts, strict=True) for _ in range(n)],
            )

        super().__init__(
            inner,
            per_source(inner.train_files),
            per_source(inner.val_files),
            dropout=params.prompt_dropout,
            seed=params.seed,
        )
