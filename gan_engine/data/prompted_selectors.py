"""Registered prompt corpora: images, rasters and volumes paired with prompts.

``prompted_photos`` reads a user's folder of 2D images with a manifest or ``.txt`` sidecars;
``sample_prompted_photos``, ``sample_prompted_multispectral`` and ``sample_prompted_mri`` pair the
built-in samples with the embedded corpus (:mod:`gan_engine.data.sample_prompts`). Every selector
is the plain one's data with ``metadata = {"prompt", "id", ...}`` added to each sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from gan_engine.data.files import resolve_folder
from gan_engine.data.prompted import PromptedDataset, SourceIndexed
from gan_engine.data.prompts import PromptEntry, prompts_for
from gan_engine.data.raster_selectors import (
    RASTER_CAPABILITIES,
    SampleMultispectralParams,
    SampleMultispectralSelector,
)
from gan_engine.data.sample_prompts import MRI_PROMPTS, MULTISPECTRAL_PROMPTS, PHOTO_PROMPTS
from gan_engine.data.selectors import (
    PHOTO_CAPABILITIES,
    RGBFolderParams,
    RGBFolderSelector,
    SamplePhotosParams,
    SamplePhotosSelector,
)
from gan_engine.data.volume_selectors import (
    VOLUME_CAPABILITIES,
    SampleMRIParams,
    SampleMRISelector,
)
from gan_engine.errors import InvalidParamError
from gan_engine.params import in_range
from gan_engine.protocols import DatasetSelector
from gan_engine.registry import register_dataset
from gan_engine.types import SpatialDims

Split = tuple[list[PromptEntry], list[str]]
"""Prompt entries and ids of a split's sources, in the order of its datasets' sources."""

DROPOUT = in_range(0.0, 1.0, high_open=True)


def _indexed(dataset: object, what: str) -> SourceIndexed:
    if not isinstance(dataset, SourceIndexed):
        msg = (
            f"the {what} dataset {type(dataset).__name__} does not say which source an item is from"
        )
        raise TypeError(msg)
    return dataset


class PromptedSelector:
    """Another selector's datasets with a prompt per source (see :mod:`gan_engine.data.prompted`).

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


def _named(names: Sequence[str], prompts: dict[str, str]) -> Split:
    return [PromptEntry(prompts[name]) for name in names], list(names)


def _manifest(_instance: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and not str(value).endswith((".jsonl", ".csv")):
        msg = f"expected a .jsonl or .csv manifest, got {value!r}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class PromptedPhotosParams(RGBFolderParams):
    """Parameters of ``prompted_photos``: ``rgb_folder``'s, plus the prompts'.

    Attributes:
        prompts: a ``.jsonl`` or ``.csv`` manifest (``path, prompt[, metadata]``, paths relative to
            the manifest); ``None``: each image's prompt is in a ``.txt`` file beside it.
        prompt_dropout: probability of training on an empty prompt instead (classifier-free
            robustness); validation always sees the prompt.
    """

    prompts: str | None = attrs.field(default=None, validator=_manifest)
    prompt_dropout: float = attrs.field(default=0.0, validator=DROPOUT)


@register_dataset("prompted_photos", params=PromptedPhotosParams, capabilities=PHOTO_CAPABILITIES)
class PromptedPhotosSelector(PromptedSelector):
    """Photos from a folder paired with prompts from a manifest or ``.txt`` sidecars (2D)."""

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: PromptedPhotosParams
    ) -> None:
        inner = RGBFolderSelector(spatial_dims, channels, scale, params)
        manifest = None if params.prompts is None else resolve_folder(params.prompts)
        root = resolve_folder(params.root)

        def split(paths: Sequence[Path]) -> Split:
            ids = [
                str(path.relative_to(root)) if path.is_relative_to(root) else path.name
                for path in paths
            ]
            return prompts_for(paths, manifest), ids

        super().__init__(
            inner,
            split(inner.train_paths),
            split(inner.val_paths),
            dropout=params.prompt_dropout,
            seed=params.seed,
        )


@attrs.frozen(kw_only=True)
class SamplePromptedPhotosParams(SamplePhotosParams):
    """Parameters of ``sample_prompted_photos``: ``sample_photos``'s, plus ``prompt_dropout``.

    Attributes:
        prompt_dropout: probability of training on an empty prompt instead.
    """

    prompt_dropout: float = attrs.field(default=0.0, validator=DROPOUT)

    @classmethod
    def tiny(cls) -> SamplePromptedPhotosParams:
        """Small crops and few samples, for fast tests."""
        return cls(patch_size=32, val_patch_size=64, samples_per_epoch=16)


@register_dataset(
    "sample_prompted_photos", params=SamplePromptedPhotosParams, capabilities=PHOTO_CAPABILITIES
)
class SamplePromptedPhotosSelector(PromptedSelector):
    """The scikit-image photos with the embedded prompts (ids: the photo names)."""

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: SamplePromptedPhotosParams | None = None,
    ) -> None:
        params = params or SamplePromptedPhotosParams()
        inner = SamplePhotosSelector(spatial_dims, channels, scale, params)
        super().__init__(
            inner,
            _named([path.stem for path in inner.train_paths], PHOTO_PROMPTS),
            _named([path.stem for path in inner.val_paths], PHOTO_PROMPTS),
            dropout=params.prompt_dropout,
            seed=params.seed,
        )


@attrs.frozen(kw_only=True)
class SamplePromptedMultispectralParams(SampleMultispectralParams):
    """Parameters of ``sample_prompted_multispectral``: ``sample_multispectral``'s, plus dropout.

    Attributes:
        prompt_dropout: probability of training on an empty prompt instead.
    """

    prompt_dropout: float = attrs.field(default=0.0, validator=DROPOUT)


@register_dataset(
    "sample_prompted_multispectral",
    params=SamplePromptedMultispectralParams,
    capabilities=RASTER_CAPABILITIES,
)
class SamplePromptedMultispectralSelector(PromptedSelector):
    """The built-in 4-band scenes with the embedded prompts (ids: the scene names)."""

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: SamplePromptedMultispectralParams | None = None,
    ) -> None:
        params = params or SamplePromptedMultispectralParams()
        inner = SampleMultispectralSelector(spatial_dims, channels, scale, params)
        super().__init__(
            inner,
            _named([s.hr.path.stem for s in inner.train_scenes], MULTISPECTRAL_PROMPTS),
            _named([s.hr.path.stem for s in inner.val_scenes], MULTISPECTRAL_PROMPTS),
            dropout=params.prompt_dropout,
            seed=params.seed,
        )


@attrs.frozen(kw_only=True)
class SamplePromptedMRIParams(SampleMRIParams):
    """Parameters of ``sample_prompted_mri``: ``sample_mri``'s, plus dropout.

    Attributes:
        prompt_dropout: probability of training on an empty prompt instead.
    """

    prompt_dropout: float = attrs.field(default=0.0, validator=DROPOUT)

    @classmethod
    def tiny(cls) -> SamplePromptedMRIParams:
        """Small patches and few samples, for fast tests."""
        return cls(
            patch_size=16, patch_depth=8, val_patch_size=32, val_patch_depth=8, samples_per_epoch=8
        )


def _mri_split(labels: Sequence[str]) -> Split:
    """Prompts of nibabel's scans by file; ids are the labels without their folder."""
    entries = [
        PromptEntry(MRI_PROMPTS["anatomical" if "anatomical" in label else "example4d"])
        for label in labels
    ]
    return entries, [Path(label).name for label in labels]


@register_dataset(
    "sample_prompted_mri", params=SamplePromptedMRIParams, capabilities=VOLUME_CAPABILITIES
)
class SamplePromptedMRISelector(PromptedSelector):
    """nibabel's MRI scans with the embedded prompts (3D; ids: file name, volume and slices)."""

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: SamplePromptedMRIParams | None = None,
    ) -> None:
        params = params or SamplePromptedMRIParams()
        inner = SampleMRISelector(spatial_dims, channels, scale, params)
        super().__init__(
            inner,
            _mri_split([source.label for source in inner.train_sources]),
            _mri_split([source.label for source in inner.val_sources]),
            dropout=params.prompt_dropout,
            seed=params.seed,
        )
