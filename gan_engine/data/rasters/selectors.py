"""Registered raster datasets (2D, any band count): raster_folder, sentinel2, sample_multispectral.

Each selector probes every file header when built — band counts against ``Data.channels``, LR/HR
sizes against the scale, scene sizes against the windows — so bad data fails before training, with
the file named, never deep inside a DataLoader worker. Training samples are random windows
(:class:`~gan_engine.data.rasters.patches.RasterPatchDataset`) or a grid
(:class:`~gan_engine.data.rasters.tiling.RasterTileDataset`); validation is a grid of
``val_patch_size`` tiles.
Samples carry the nodata ``mask`` (see :mod:`gan_engine.data.rasters.samples`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
from torch.utils.data import Dataset

from gan_engine.data.files import available_sample_photos, list_images, resolve_folder
from gan_engine.data.rasters.files import probe_rasters
from gan_engine.data.rasters.params import (
    RasterFolderParams,
    RasterSamplingParams,
    Sentinel2Params,
    raster_mode,
)
from gan_engine.data.rasters.patches import RasterPatchDataset
from gan_engine.data.rasters.sample_geotiffs import default_cache_folder, write_sample_geotiffs
from gan_engine.data.rasters.samples import RasterSample, WindowReader
from gan_engine.data.rasters.scenes import (
    Scene,
    check_bands,
    check_min_size,
    check_pair,
    pair_by_stem,
)
from gan_engine.data.rasters.tiling import RasterTileDataset
from gan_engine.data.transforms.degradation import Degradation
from gan_engine.data.unreadable import UnreadableFiles, UnreadablePolicy
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.io.raster_header import RasterHeader
from gan_engine.registry import Capabilities, register_dataset
from gan_engine.types import BuildContext, SpatialDims

RASTER_CAPABILITIES = Capabilities(spatial_dims=frozenset({2}))


def _raise_first(errors: Sequence[InvalidParamError]) -> None:
    for error in errors:
        raise error


def dtype_data_range(headers: Sequence[RasterHeader]) -> float:
    """255 for uint8 rasters, 65535 for uint16; :class:`DataError` for anything else or a mix."""
    dtypes = sorted({header.dtype for header in headers})
    ranges = {"uint8": 255.0, "uint16": 65535.0}
    if len(dtypes) == 1 and dtypes[0] in ranges:
        return ranges[dtypes[0]]
    msg = (
        f"cannot infer data_range from raster dtypes {dtypes}: set Data.params.data_range to the "
        "width of the valid value range in sensor units"
    )
    raise DataError(msg)


class RasterSelector:
    """Training and validation datasets over probed scenes (2D).

    Raises:
        InvalidParamError: the parameters do not fit the run (see ``params.check``).
        DataError: a band count differs from ``channels`` or a scene is smaller than a window.
    """

    spatial_dims: SpatialDims
    channels: int
    scale: int
    data_range: float

    def __init__(
        self,
        context: BuildContext,
        params: RasterSamplingParams,
        train: Sequence[Scene],
        val: Sequence[Scene],
    ) -> None:
        _raise_first(RasterSamplingParams.check(params, context))
        self.spatial_dims = context.spatial_dims
        self.channels = context.channels
        self.scale = context.scale
        self.params = params
        self.train_scenes = list(train)
        self.val_scenes = list(val)
        if not self.train_scenes or not self.val_scenes:
            msg = (
                f"raster datasets need training and validation scenes, got "
                f"{len(self.train_scenes)} and {len(self.val_scenes)}"
            )
            raise DataError(msg)
        scenes = self.train_scenes + self.val_scenes
        check_bands([header for s in scenes for header in (s.hr, s.lr) if header], self.channels)
        check_min_size(self.train_scenes, params.patch_size, "training patch")
        check_min_size(self.val_scenes, params.val_patch_size, "validation tile")
        self.data_range = params.data_range or dtype_data_range([s.hr for s in scenes])
        self.reader = WindowReader(
            scale=self.scale,
            degradation=Degradation(
                mode=raster_mode(params.degradation),
                blur_sigma=params.blur_sigma,
                noise_sigma=params.noise_sigma,
                quantise=params.quantise,
            ),
            fill=params.fill,
            metadata=params.metadata,
        )

    def train_dataset(self) -> Dataset[RasterSample]:
        """Random windows, or a grid when ``sampling: grid``."""
        p = self.params
        if p.sampling == "grid":
            stride = p.stride or p.patch_size
            return RasterTileDataset(
                self.train_scenes, self.reader, p.patch_size, stride, augment=p.augment, seed=p.seed
            )
        return RasterPatchDataset(
            self.train_scenes,
            self.reader,
            p.patch_size,
            p.samples_per_epoch,
            augment=p.augment,
            seed=p.seed,
            min_valid_fraction=p.min_valid_fraction,
        )

    def val_dataset(self) -> RasterTileDataset:
        """Every whole ``val_patch_size`` tile of the validation scenes, no augmentation."""
        p = self.params
        return RasterTileDataset(self.val_scenes, self.reader, p.val_patch_size, seed=p.seed)


def _files(folder: str, params: RasterFolderParams) -> list[Path]:
    return list_images(resolve_folder(folder), params.extensions)


def _hr_scenes(
    paths: Sequence[Path], params: RasterFolderParams, tally: UnreadableFiles | None
) -> list[Scene]:
    policy = params.unreadable_policy
    probed = probe_rasters(paths, nodata=params.nodata, unreadable=policy, tally=tally)
    return [Scene(hr=header) for header in probed.headers]


def _paired_scenes(
    lr_folder: str,
    hr_folder: str,
    params: RasterFolderParams,
    scale: int,
    tally: UnreadableFiles | None,
) -> list[Scene]:
    pairs = pair_by_stem(_files(lr_folder, params), _files(hr_folder, params))
    options: dict[str, Any] = {
        "nodata": params.nodata,
        "unreadable": params.unreadable_policy,
        "tally": tally,
    }
    lr = {h.path: h for h in probe_rasters([pair[0] for pair in pairs], **options).headers}
    hr = {h.path: h for h in probe_rasters([pair[1] for pair in pairs], **options).headers}
    return [check_pair(lr[a], hr[b], scale) for a, b in pairs if a in lr and b in hr]


def folder_scenes(
    params: RasterFolderParams, scale: int, tally: UnreadableFiles | None = None
) -> tuple[list[Scene], list[Scene]]:
    """Training and validation scenes of a raster folder layout (see :class:`RasterFolderParams`).

    Files skipped as unreadable are counted in ``tally``.
    """
    if params.root is not None:
        scenes = _hr_scenes(_files(params.root, params), params, tally)
        val = (
            None
            if params.val_root is None
            else _hr_scenes(_files(params.val_root, params), params, tally)
        )
    else:
        if params.lr_root is None or params.hr_root is None:  # layout_errors rules this out
            key, msg = "lr_root", "paired data needs both lr_root and hr_root"
            raise InvalidParamError(key, msg)
        scenes = _paired_scenes(params.lr_root, params.hr_root, params, scale, tally)
        val = None
        if params.val_lr_root is not None and params.val_hr_root is not None:
            val = _paired_scenes(params.val_lr_root, params.val_hr_root, params, scale, tally)
    if val is not None:
        return scenes, val
    if len(scenes) <= params.val_count:
        msg = (
            f"found {len(scenes)} readable scene(s); val_count={params.val_count} are held out for "
            "validation and at least 1 is needed for training (or give a validation folder)"
        )
        raise DataError(msg)
    return scenes[: -params.val_count], scenes[-params.val_count :]


@register_dataset("raster_folder", params=RasterFolderParams, capabilities=RASTER_CAPABILITIES)
class RasterFolderSelector(RasterSelector):
    """Multiband rasters (GeoTIFF, .npy, .npz) from folders: HR only, or LR/HR pairs by file name."""

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: RasterFolderParams
    ) -> None:
        context = BuildContext(spatial_dims=spatial_dims, channels=channels, scale=scale)
        _raise_first(RasterSamplingParams.check(params, context) + params.layout_errors())
        tally = UnreadableFiles()
        train, val = folder_scenes(params, scale, tally)
        super().__init__(context, params, train, val)
        self.unreadable: UnreadablePolicy = params.unreadable_policy
        self.unreadable_files = tally


@register_dataset("sentinel2", params=Sentinel2Params, capabilities=RASTER_CAPABILITIES)
class Sentinel2Selector(RasterFolderSelector):
    """Multiband Sentinel-2 GeoTIFFs (uint16 reflectance, data range 10000): HR only or paired."""

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: Sentinel2Params
    ) -> None:
        super().__init__(spatial_dims, channels, scale, params)


def _photo_names(_instance: Any, attribute: attrs.Attribute[Any], value: list[str]) -> None:
    available = list(available_sample_photos())
    unknown = [name for name in value if name not in available]
    if unknown or not value or len(set(value)) != len(value):
        msg = f"expected distinct names from {available}, got {value}"
        raise InvalidParamError(attribute.name, msg)
    if len(value) >= len(available):
        msg = f"holds out all {len(available)} scenes, leaving none for training"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class SampleMultispectralParams(RasterSamplingParams):
    """Parameters of ``sample_multispectral`` (4-band GeoTIFFs made from scikit-image's photos).

    Attributes:
        val_scenes: photo names held out for validation; the others train.
        cache_dir: where the GeoTIFFs are written once (default
            ``$XDG_CACHE_HOME/gan-engine/sample_multispectral-v1``).
        data_range: 10000 (reflectance scale).
    """

    val_scenes: list[str] = attrs.field(
        factory=lambda: ["chelsea", "coffee"], validator=_photo_names
    )
    cache_dir: str | None = None
    data_range: float | None = 10000.0

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Base checks, plus: the scenes have 4 bands (R, G, B, NIR)."""
        errors = super().check(context)
        if context.channels != 4:
            msg = f"the sample scenes have 4 bands (R, G, B, NIR), Data.channels is {context.channels}"
            errors.append(InvalidParamError("channels", msg))
        return errors


@register_dataset(
    "sample_multispectral", params=SampleMultispectralParams, capabilities=RASTER_CAPABILITIES
)
class SampleMultispectralSelector(RasterSelector):
    """Built-in 4-band uint16 GeoTIFFs with nodata corners (generated once into a cache; no download)."""

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: SampleMultispectralParams | None = None,
    ) -> None:
        params = params or SampleMultispectralParams()
        context = BuildContext(spatial_dims=spatial_dims, channels=channels, scale=scale)
        _raise_first(params.check(context))
        folder = Path(params.cache_dir) if params.cache_dir else default_cache_folder()
        paths = write_sample_geotiffs(resolve_folder(folder))
        probed = probe_rasters(paths)
        by_name = {header.path.stem: Scene(hr=header) for header in probed.headers}
        train = [scene for name, scene in by_name.items() if name not in params.val_scenes]
        val = [by_name[name] for name in params.val_scenes]
        super().__init__(context, params, train, val)
