"""Parameters shared by the volume, microscopy and video datasets: patches, degradation, intensity.

Sizes are in HR pixels (voxels): ``patch_size`` is the side in ``H`` and ``W``, ``patch_depth`` the
side along ``D`` in 3D (slices, pages or frames). Every size must be a multiple of the scale, since
generators upscale every spatial axis, depth included.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import attrs

from gan_engine.data.files import files_needed
from gan_engine.data.source_files import folder_problems
from gan_engine.data.transforms.degradation import MODES_BY_DIMS
from gan_engine.data.transforms.intensity import INTENSITY_MODES, IntensityMode
from gan_engine.data.unreadable import UNREADABLE_POLICY, UnreadablePolicy
from gan_engine.degradation_spec import mode_or_stages
from gan_engine.errors import InvalidParamError
from gan_engine.params import Validator, at_least
from gan_engine.types import BuildContext, SpatialDims

PatchDegradation: TypeAlias = Literal["area", "trilinear", "bicubic"]
PATCH_DEGRADATIONS: tuple[PatchDegradation, ...] = ("area", "trilinear", "bicubic")


def patch_mode(value: object) -> PatchDegradation:
    """The per-sample mode of a ``degradation`` value (``area`` under a stage list)."""
    for mode in PATCH_DEGRADATIONS:
        if value == mode:
            return mode
    return "area"


def one_of(choices: Sequence[str]) -> Validator:
    """Require one of ``choices``."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in choices:
            msg = f"expected one of {list(choices)}, got {value!r}"
            raise InvalidParamError(attribute.name, msg)

    return validate


def optional_at_least(bound: int) -> Validator:
    """Require ``None`` or ``value >= bound``."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
        if value is not None and value < bound:
            raise InvalidParamError(attribute.name, f"must be >= {bound}, got {value}")

    return validate


def _positive_or_none(_instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise InvalidParamError(attribute.name, f"must be a finite number > 0, got {value}")


def _percentiles(_instance: Any, attribute: attrs.Attribute[Any], value: list[float]) -> None:
    if len(value) != 2 or not 0.0 <= value[0] < value[1] <= 100.0:
        msg = f"expected [low, high] with 0 <= low < high <= 100, got {value}"
        raise InvalidParamError(attribute.name, msg)


def _window(_instance: Any, attribute: attrs.Attribute[Any], value: list[float] | None) -> None:
    if value is None:
        return
    if len(value) != 2 or not all(math.isfinite(v) for v in value) or not value[0] < value[1]:
        msg = f"expected [low, high] with low < high (stored units), got {value}"
        raise InvalidParamError(attribute.name, msg)


def folder_name(_instance: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    """Require a non-empty path string (or ``None``)."""
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidParamError(attribute.name, f"expected a folder path, got {value!r}")


def extension_list(_instance: Any, attribute: attrs.Attribute[Any], value: list[str]) -> None:
    """Require a non-empty list of non-empty extensions."""
    if not value or any(not extension.strip(".") for extension in value):
        msg = f"expected a non-empty list of file extensions such as 'tif', got {value!r}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class PatchParams:
    """Patches, degradation, augmentation and intensity handling.

    Attributes:
        patch_size: HR training patch side in ``H`` and ``W``, pixels; a multiple of the scale.
        patch_depth: HR training patch depth in 3D (``None``: ``patch_size``); a multiple of the
            scale. Not used in 2D.
        val_patch_size: HR validation tile side in ``H`` and ``W``.
        val_patch_depth: HR validation tile depth in 3D (``None``: ``val_patch_size``).
        degradation: how LR is made: ``area`` (block mean, 2D and 3D), ``trilinear`` (3D) or
            ``bicubic`` (antialiased, 2D) per sample, or a list of degradation stages applied per
            batch (``area`` LR until then).
        val_skip_flat: leave out validation tiles whose HR values are all equal (pure background):
            their PSNR is infinite for any model.
        augment: random flips of every axis and quarter turns in ``(H, W)``.
        samples_per_epoch: training patches per epoch.
        seed: seed of the patches and augmentations (with the epoch and the item index).
        cache: read every file whole once and keep it in memory (per process).
        quantise: round LR to integers as if stored in an integer file; ``None``: only for
            ``raw`` integer data.
        intensity: ``raw``, ``percentile`` or ``window`` (see :mod:`gan_engine.data.transforms.intensity`).
        data_range: top of the sample range, the peak value of metrics; ``None``: the dtype's range
            (255, 65535) for ``raw``, 1.0 for ``percentile`` and ``window``.
        percentiles: ``[low, high]`` percentiles mapped to ``[0, data_range]`` (``percentile``).
        window: ``[low, high]`` stored values mapped to ``[0, data_range]`` (``window``).
    """

    patch_size: int = attrs.field(default=32, validator=at_least(1))
    patch_depth: int | None = attrs.field(default=None, validator=optional_at_least(1))
    val_patch_size: int = attrs.field(default=64, validator=at_least(1))
    val_patch_depth: int | None = attrs.field(default=None, validator=optional_at_least(1))
    degradation: PatchDegradation | tuple[Any, ...] = attrs.field(
        default="area", validator=mode_or_stages(PATCH_DEGRADATIONS)
    )
    val_skip_flat: bool = True
    augment: bool = True
    samples_per_epoch: int = attrs.field(default=256, validator=at_least(1))
    seed: int = attrs.field(default=0, validator=at_least(0))
    cache: bool = False
    quantise: bool | None = None
    intensity: IntensityMode = attrs.field(default="raw", validator=one_of(INTENSITY_MODES))
    data_range: float | None = attrs.field(default=None, validator=_positive_or_none)
    percentiles: list[float] = attrs.field(factory=lambda: [0.5, 99.5], validator=_percentiles)
    window: list[float] | None = attrs.field(default=None, validator=_window)

    def patch(self, spatial_dims: SpatialDims) -> tuple[int, ...]:
        """The HR training patch: ``(H, W)`` or ``(D, H, W)``."""
        side = self.patch_size
        return (side, side) if spatial_dims == 2 else (self.patch_depth or side, side, side)

    def val_tile(self, spatial_dims: SpatialDims) -> tuple[int, ...]:
        """The HR validation tile: ``(H, W)`` or ``(D, H, W)``."""
        side = self.val_patch_size
        return (side, side) if spatial_dims == 2 else (self.val_patch_depth or side, side, side)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Errors that depend on the run: degradation, sizes vs scale, depths in 2D, window.

        A degradation unavailable in the dims, sizes that are not multiples of the scale, depths
        given for a 2D run, and intensity ``window`` without ``window``.
        """
        errors: list[InvalidParamError] = []
        dims = context.spatial_dims
        allowed = MODES_BY_DIMS[dims]
        if isinstance(self.degradation, str) and self.degradation not in allowed:
            msg = f"{self.degradation!r} is not available in {dims}D; use one of {list(allowed)}"
            errors.append(InvalidParamError("degradation", msg))
        sizes = {"patch_size": self.patch_size, "val_patch_size": self.val_patch_size}
        depths = {"patch_depth": self.patch_depth, "val_patch_depth": self.val_patch_depth}
        for key, depth in depths.items():
            if depth is not None and dims == 2:
                msg = f"is for 3D data (slices, pages or frames), the run is 2D; got {depth}"
                errors.append(InvalidParamError(key, msg))
            elif depth is not None:
                sizes[key] = depth
        for key, size in sizes.items():
            if size % context.scale:
                msg = f"must be a multiple of the scale {context.scale}, got {size}"
                errors.append(InvalidParamError(key, msg))
        if self.intensity == "window" and self.window is None:
            msg = "intensity 'window' needs window: [low, high] in stored units"
            errors.append(InvalidParamError("window", msg))
        return errors


@attrs.frozen(kw_only=True)
class FolderPatchParams(PatchParams):
    """:class:`PatchParams` plus where the files are.

    Attributes:
        root: folder of HR files (relative to the working directory); not searched recursively.
        val_root: folder of validation files; when absent the last ``val_count`` files of ``root``
            (sorted by name) are held out for validation.
        val_count: files held out of ``root`` when ``val_root`` is absent.
        extensions: file extensions (any case, ``nii.gz`` style multi-part ones too).
        unreadable: a file that cannot be read: ``fail`` (stop, naming it) or ``skip`` (leave it
            out, count it per epoch, name the first few at the end; see
            :mod:`gan_engine.data.unreadable`).
    """

    root: str = attrs.field(validator=folder_name)
    val_root: str | None = attrs.field(default=None, validator=folder_name)
    val_count: int = attrs.field(default=1, validator=at_least(1))
    extensions: list[str] = attrs.field(factory=list, validator=extension_list)
    unreadable: UnreadablePolicy = attrs.field(default="fail", validator=UNREADABLE_POLICY)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Base checks plus: the folders exist and hold enough files for the split."""
        errors = super().check(context)
        needed, why = files_needed(self.val_root, self.val_count)
        errors += [
            InvalidParamError("root", problem)
            for problem in folder_problems(self.root, self.extensions, needed, why)
        ]
        if self.val_root is not None:
            errors += [
                InvalidParamError("val_root", problem)
                for problem in folder_problems(self.val_root, self.extensions, 1, "validation")
            ]
        return errors
