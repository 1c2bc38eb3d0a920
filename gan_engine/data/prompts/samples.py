"""Registered sample prompt corpora: the built-in samples paired with the embedded prompts.

``sample_prompted_photos``, ``sample_prompted_multispectral`` and ``sample_prompted_mri`` are
``sample_photos``, ``sample_multispectral`` and ``sample_mri`` with the prompts of
:mod:`gan_engine.data.prompts.corpus` in every sample's ``metadata``; nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from gan_engine.data.photos.params import SamplePhotosParams
from gan_engine.data.photos.selectors import PHOTO_CAPABILITIES, SamplePhotosSelector
from gan_engine.data.prompts.corpus import MRI_PROMPTS, MULTISPECTRAL_PROMPTS, PHOTO_PROMPTS
from gan_engine.data.prompts.manifests import PromptEntry
from gan_engine.data.prompts.params import DROPOUT, Split
from gan_engine.data.prompts.selectors import PromptedSelector
from gan_engine.data.rasters.selectors import (
    RASTER_CAPABILITIES,
    SampleMultispectralParams,
    SampleMultispectralSelector,
)
from gan_engine.data.volumes.mri import VOLUME_CAPABILITIES, SampleMRIParams, SampleMRISelector
from gan_engine.registry import register_dataset
from gan_engine.types import SpatialDims


def _named(names: Sequence[str], prompts: dict[str, str]) -> Split:
    return [PromptEntry(prompts[name]) for name in names], list(names)


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
