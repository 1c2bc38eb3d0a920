"""Registered photo datasets (2D): ``rgb_folder`` for a user's folder, ``sample_photos`` built in.

Both make LR from HR on the fly (see :mod:`gan_engine.data.photos.datasets`). Selectors check their
parameters and probe every image header when built, so a bad folder or file fails before training.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gan_engine.data.files import (
    available_sample_photos,
    list_images,
    resolve_folder,
)
from gan_engine.data.photos.datasets import HRImageDataset, HRTileDataset
from gan_engine.data.photos.params import (
    PhotoParams,
    RGBFolderParams,
    SamplePhotosParams,
    photo_mode,
)
from gan_engine.data.unreadable import UnreadableFiles, UnreadablePolicy, open_readable
from gan_engine.errors import DataError
from gan_engine.io.images import (
    common_data_range,
    probe_image,
)
from gan_engine.registry import Capabilities, register_dataset
from gan_engine.types import BuildContext, SpatialDims

PHOTO_CAPABILITIES = Capabilities(spatial_dims=frozenset({2}))


class PhotoSelector:
    """Training and validation photo datasets from given file lists (2D), probed up front.

    Raises:
        InvalidParamError: the parameters do not fit the run (see ``params.check``).
        DataError: a file cannot be read, bit depths are mixed, or an image is smaller than a patch.
    """

    spatial_dims: SpatialDims
    channels: int
    scale: int
    data_range: float

    def __init__(
        self,
        context: BuildContext,
        params: PhotoParams,
        train_paths: Sequence[Path],
        val_paths: Sequence[Path],
        *,
        unreadable: UnreadablePolicy = "fail",
    ) -> None:
        for error in params.check(context):
            raise error
        self.spatial_dims = context.spatial_dims
        self.channels = context.channels
        self.scale = context.scale
        self.params = params
        self.unreadable = unreadable
        self.unreadable_files = UnreadableFiles()
        train_headers = open_readable(
            train_paths, probe_image, unreadable, "image", self.unreadable_files
        )
        val_headers = open_readable(
            val_paths, probe_image, unreadable, "image", self.unreadable_files
        )
        self.train_paths = [header.path for header in train_headers]
        self.val_paths = [header.path for header in val_headers]
        if not self.train_paths or not self.val_paths:
            msg = "every training or every validation image is unreadable"
            raise DataError(msg)
        self.data_range = common_data_range(train_headers + val_headers)
        for header in train_headers:
            if min(header.width, header.height) < params.patch_size:
                msg = (
                    f"image {header.path} is {header.size_text} pixels, smaller than "
                    f"patch_size {params.patch_size}"
                )
                raise DataError(msg)
        for header in val_headers:
            if min(header.width, header.height) < params.val_patch_size:
                msg = (
                    f"validation image {header.path} is {header.size_text} pixels, smaller than "
                    f"val_patch_size {params.val_patch_size}"
                )
                raise DataError(msg)

    def train_dataset(self) -> HRImageDataset:
        """A fresh training dataset of random crops (see :class:`HRImageDataset`)."""
        p = self.params
        return HRImageDataset(
            self.train_paths,
            scale=self.scale,
            patch_size=p.patch_size,
            color=p.color,
            degradation=photo_mode(p.degradation),
            augment=p.augment,
            samples_per_epoch=p.samples_per_epoch,
            seed=p.seed,
            cache=p.cache,
            quantise=p.quantise,
            unreadable=self.unreadable,
        )

    def val_dataset(self) -> HRTileDataset:
        """A fresh validation dataset of fixed tiles (see :class:`HRTileDataset`)."""
        p = self.params
        return HRTileDataset(
            self.val_paths,
            scale=self.scale,
            tile_size=p.val_patch_size,
            color=p.color,
            degradation=photo_mode(p.degradation),
            cache=p.cache,
            quantise=p.quantise,
            unreadable=self.unreadable,
        )


@register_dataset("rgb_folder", params=RGBFolderParams, capabilities=PHOTO_CAPABILITIES)
class RGBFolderSelector(PhotoSelector):
    """Photos from a folder (8-bit or 16-bit grayscale), LR made by bicubic or area downsampling."""

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: RGBFolderParams
    ) -> None:
        context = BuildContext(spatial_dims=spatial_dims, channels=channels, scale=scale)
        for error in params.check(context):
            raise error
        images = list_images(resolve_folder(params.root), params.extensions)
        if params.val_root is None:
            train, val = images[: -params.val_count], images[-params.val_count :]
        else:
            train, val = images, list_images(resolve_folder(params.val_root), params.extensions)
        super().__init__(context, params, train, val, unreadable=params.unreadable)


@register_dataset("sample_photos", params=SamplePhotosParams, capabilities=PHOTO_CAPABILITIES)
class SamplePhotosSelector(PhotoSelector):
    """The RGB photos that ship inside scikit-image: a default dataset that needs no download."""

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: SamplePhotosParams | None = None,
    ) -> None:
        params = params or SamplePhotosParams()
        context = BuildContext(spatial_dims=spatial_dims, channels=channels, scale=scale)
        photos = available_sample_photos()
        train = [path for name, path in photos.items() if name not in params.val_images]
        val = [photos[name] for name in params.val_images]
        super().__init__(context, params, train, val)
