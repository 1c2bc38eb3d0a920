"""Parameters of the raster datasets (``raster_folder``, ``sentinel2``, ``sample_multispectral``).

``check(context)`` runs when a spec is loaded: it checks the geometry against the run's scale and,
cheaply, the folders — they exist, hold raster files, and the first file's band count equals
``Data.channels`` (every file is probed when the selector is built).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias

import attrs

from gan_engine.data.files import list_images, resolve_folder
from gan_engine.data.rasters.files import RASTER_EXTENSIONS, probe_raster
from gan_engine.data.transforms.masks import FILL_MODES, FillMode
from gan_engine.data.unreadable import UNREADABLE_POLICY, UnreadablePolicy
from gan_engine.degradation_spec import mode_or_stages
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.io.raster_header import RasterHeader
from gan_engine.params import Validator, at_least, in_range
from gan_engine.types import BuildContext

RasterDegradation: TypeAlias = Literal["bicubic", "area"]


def raster_mode(value: object) -> RasterDegradation:
    """The per-sample mode of a ``degradation`` value (``bicubic`` under a stage list)."""
    return "area" if value == "area" else "bicubic"


Sampling: TypeAlias = Literal["random", "grid"]


def one_of(choices: Sequence[str]) -> Validator:
    """Validate that the value is one of ``choices`` (an attrs validator)."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in choices:
            msg = f"expected one of {list(choices)}, got {value!r}"
            raise InvalidParamError(attribute.name, msg)

    return validate


def _optional_folder(_instance: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidParamError(attribute.name, f"expected a folder path, got {value!r}")


def _positive_or_none(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise InvalidParamError(attribute.name, f"must be a finite number > 0, got {value}")


def _finite_or_none(_instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and math.isnan(value):
        raise InvalidParamError(attribute.name, "must be a number (NaN pixels are always nodata)")


_NON_NEGATIVE = in_range(0.0, math.inf, high_open=True)


@attrs.frozen(kw_only=True)
class RasterSamplingParams:
    """How samples are cut from raster scenes (shared by the raster datasets).

    Attributes:
        patch_size: side of the square HR training window, in pixels; a multiple of the scale.
        val_patch_size: side of the square HR validation tiles; a multiple of the scale.
        sampling: ``"random"`` windows (``samples_per_epoch`` per epoch) or a ``"grid"`` of windows
            over every training scene (``stride`` apart).
        stride: grid step in HR pixels for ``sampling: grid`` (default: ``patch_size``).
        samples_per_epoch: random training windows per epoch.
        degradation: how LR is made from HR-only scenes: ``"bicubic"`` or ``"area"`` per sample,
            or a list of degradation stages applied per batch (``bicubic`` LR until then).
        blur_sigma: Gaussian blur of HR before downsampling, in HR pixels (0: none).
        noise_sigma: additive Gaussian noise on LR, in sensor units (0: none).
        quantise: round degraded LR of integer rasters to integers.
        augment: random flips and quarter turns of training windows.
        seed: seed of windows, augmentation and noise.
        fill: neutral value of nodata pixels: the band ``"mean"`` of the window's valid pixels, or
            ``"zero"``; the ``mask`` excludes them from losses either way.
        min_valid_fraction: redraw random training windows with fewer valid pixels than this.
        metadata: add ``metadata`` (path, window offsets, CRS, transform) to every sample.
        data_range: width of the valid value range in sensor units, for metrics (PSNR).
    """

    patch_size: int = attrs.field(default=64, validator=at_least(1))
    val_patch_size: int = attrs.field(default=128, validator=at_least(1))
    sampling: Sampling = attrs.field(default="random", validator=one_of(("random", "grid")))
    stride: int | None = attrs.field(default=None, validator=_positive_or_none)
    samples_per_epoch: int = attrs.field(default=512, validator=at_least(1))
    degradation: RasterDegradation | tuple[Any, ...] = attrs.field(
        default="bicubic", validator=mode_or_stages(("bicubic", "area"))
    )
    blur_sigma: float = attrs.field(default=0.0, validator=_NON_NEGATIVE)
    noise_sigma: float = attrs.field(default=0.0, validator=_NON_NEGATIVE)
    quantise: bool = True
    augment: bool = True
    seed: int = attrs.field(default=0, validator=at_least(0))
    fill: FillMode = attrs.field(default="mean", validator=one_of(FILL_MODES))
    min_valid_fraction: float = attrs.field(default=0.5, validator=in_range(0.0, 1.0))
    metadata: bool = False
    data_range: float | None = attrs.field(default=None, validator=_positive_or_none)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Errors for 3D runs and window sizes that are not multiples of the scale."""
        errors: list[InvalidParamError] = []
        if context.spatial_dims != 2:
            msg = f"raster datasets are 2D, the run has spatial_dims={context.spatial_dims}"
            errors.append(InvalidParamError("spatial_dims", msg))
        sizes = [("patch_size", self.patch_size), ("val_patch_size", self.val_patch_size)]
        if self.stride is not None:
            sizes.append(("stride", self.stride))
        for key, size in sizes:
            if size % context.scale:
                msg = f"must be a multiple of the scale {context.scale}, got {size}"
                errors.append(InvalidParamError(key, msg))
        return errors


def _first_header(
    files: Sequence[Path], nodata: float | None, unreadable: UnreadablePolicy
) -> RasterHeader:
    """The first file's header; under ``skip`` the first readable one's (else the last's error)."""
    if unreadable == "fail":
        return probe_raster(files[0], nodata)
    for path in files[:-1]:
        try:
            return probe_raster(path, nodata)
        except DataError as error:
            if isinstance(error, ImportError):  # a missing extra is never skipped
                raise
    return probe_raster(files[-1], nodata)


def folder_errors(
    key: str,
    folder: str,
    extensions: Sequence[str],
    channels: int,
    nodata: float | None,
    unreadable: UnreadablePolicy = "fail",
) -> list[InvalidParamError]:
    """A missing or empty folder, or a first file whose band count is not ``channels``.

    Under ``unreadable: skip`` the first readable file is checked (unreadable ones are skipped when
    the dataset is built).
    """
    path = resolve_folder(folder)
    try:
        files = list_images(path, extensions)
        if not files:
            msg = f"no files with extensions {sorted(extensions)} in {path}"
            return [InvalidParamError(key, msg)]
        header = _first_header(files, nodata, unreadable)
    except DataError as error:
        return [InvalidParamError(key, str(error))]
    if header.bands != channels:
        msg = f"raster {header.path} has {header.bands} band(s), but Data.channels is {channels}"
        return [InvalidParamError(key, msg)]
    return []


def _extensions(_instance: Any, attribute: attrs.Attribute[Any], value: list[str]) -> None:
    known = set(RASTER_EXTENSIONS)
    unknown = [ext for ext in value if ext.lower().lstrip(".") not in known]
    if not value or unknown:
        msg = f"expected raster extensions from {list(RASTER_EXTENSIONS)}, got {value!r}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class RasterFolderParams(RasterSamplingParams):
    """Parameters of ``raster_folder``: HR-only or paired LR/HR folders of raster files.

    Give either ``root`` (HR only; LR is made by degradation) or both ``lr_root`` and ``hr_root``
    (paired by file stem; HR must be ``scale`` times LR on both axes).

    Attributes:
        root: folder of HR rasters (not searched recursively).
        lr_root: folder of LR rasters, paired with ``hr_root``.
        hr_root: folder of HR rasters, paired with ``lr_root``.
        val_root: validation HR folder (with ``root``).
        val_lr_root: validation LR folder (with ``lr_root``/``hr_root``).
        val_hr_root: validation HR folder (with ``lr_root``/``hr_root``).
        val_count: scenes (or pairs) held out of the training folders, by sorted name, when no
            validation folder is given.
        extensions: file extensions that count as rasters (``tif``, ``tiff``, ``npy``, ``npz``).
        nodata: nodata value overriding the files' own (``.npy`` files have none; NaN always is).
        skip_unreadable: the older spelling of ``unreadable: skip`` (either one skips).
        unreadable: a file that cannot be read: ``fail`` (stop, naming it) or ``skip`` (leave it
            out, count it per epoch, name the first few at the end; see
            :mod:`gan_engine.data.unreadable`).
        data_range: width of the valid value range, for metrics; default from the dtype (255 for
            uint8, 65535 for uint16; required for other dtypes).
    """

    root: str | None = attrs.field(default=None, validator=_optional_folder)
    lr_root: str | None = attrs.field(default=None, validator=_optional_folder)
    hr_root: str | None = attrs.field(default=None, validator=_optional_folder)
    val_root: str | None = attrs.field(default=None, validator=_optional_folder)
    val_lr_root: str | None = attrs.field(default=None, validator=_optional_folder)
    val_hr_root: str | None = attrs.field(default=None, validator=_optional_folder)
    val_count: int = attrs.field(default=1, validator=at_least(1))
    extensions: list[str] = attrs.field(
        factory=lambda: list(RASTER_EXTENSIONS), validator=_extensions
    )
    nodata: float | None = attrs.field(default=None, validator=_finite_or_none)
    skip_unreadable: bool = False
    unreadable: UnreadablePolicy = attrs.field(default="fail", validator=UNREADABLE_POLICY)

    @property
    def unreadable_policy(self) -> UnreadablePolicy:
        """``skip`` when ``unreadable: skip`` or ``skip_unreadable: true``, else ``fail``."""
        return "skip" if self.skip_unreadable else self.unreadable

    @property
    def paired(self) -> bool:
        """Whether LR comes from ``lr_root`` files rather than degradation."""
        return self.lr_root is not None or self.hr_root is not None

    def layout_errors(self) -> list[InvalidParamError]:
        """Errors for an inconsistent choice of folders."""
        if self.root is not None and self.paired:
            msg = "give either root (HR only) or lr_root and hr_root (paired), not both"
            return [InvalidParamError("root", msg)]
        if self.root is None and not self.paired:
            msg = "give root (HR only) or lr_root and hr_root (paired)"
            return [InvalidParamError("root", msg)]
        if self.paired and (self.lr_root is None or self.hr_root is None):
            key = "lr_root" if self.lr_root is None else "hr_root"
            return [InvalidParamError(key, "paired data needs both lr_root and hr_root")]
        if self.paired and self.val_root is not None:
            msg = "with paired data give val_lr_root and val_hr_root instead"
            return [InvalidParamError("val_root", msg)]
        if (self.val_lr_root is None) != (self.val_hr_root is None):
            key = "val_lr_root" if self.val_lr_root is None else "val_hr_root"
            return [InvalidParamError(key, "paired validation needs val_lr_root and val_hr_root")]
        if not self.paired and self.val_lr_root is not None:
            msg = "val_lr_root/val_hr_root go with lr_root and hr_root; use val_root with root"
            return [InvalidParamError("val_lr_root", msg)]
        if self.paired and not isinstance(self.degradation, str):
            msg = "paired data has its own LR files; a degradation pipeline needs root (HR only)"
            return [InvalidParamError("degradation", msg)]
        return []

    def folders(self) -> list[tuple[str, str]]:
        """``(key, folder)`` of every folder given."""
        keys = ("root", "lr_root", "hr_root", "val_root", "val_lr_root", "val_hr_root")
        return [(key, getattr(self, key)) for key in keys if getattr(self, key) is not None]

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Base checks, the folder layout, and each folder's first file against ``channels``."""
        errors = super().check(context) + self.layout_errors()
        if errors:
            return errors
        for key, folder in self.folders():
            errors += folder_errors(
                key,
                folder,
                self.extensions,
                context.channels,
                self.nodata,
                self.unreadable_policy,
            )
        return errors


@attrs.frozen(kw_only=True)
class Sentinel2Params(RasterFolderParams):
    """Parameters of ``sentinel2``: multiband GeoTIFFs of reflectance (``raster_folder`` defaults).

    Attributes:
        data_range: 10000 (Sentinel-2 L2A reflectance is scaled by 10000; uint16's maximum is not the
            physical range).
        extensions: ``tif`` and ``tiff``.
    """

    data_range: float | None = attrs.field(default=10000.0, validator=_positive_or_none)
    extensions: list[str] = attrs.field(factory=lambda: ["tif", "tiff"], validator=_extensions)
