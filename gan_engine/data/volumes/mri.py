"""Registered 3D volume datasets: ``medical_mri`` for a folder of NIfTI files, ``sample_mri`` built in.

Both are HR-only: random 3D patches are cut from each volume and LR is made on the fly (``area`` or
``trilinear`` downsampling of every axis). MRI intensities have no fixed scale, so by default each
volume's 0.5–99.5 percentiles map to ``[0, 1]`` (``intensity: percentile``, ``data_range: 1``); set
``intensity: window`` with a fixed ``window`` for CT, or ``raw`` with ``data_range`` for data whose
stored values are already comparable. Volumes are ``[C, D, H, W]`` with ``D`` the NIfTI ``k`` axis
(see :mod:`gan_engine.io.nifti`).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

import attrs

from gan_engine.data.sources import ArraySource, RegionView
from gan_engine.data.transforms.intensity import INTENSITY_MODES, IntensityMode
from gan_engine.data.volumes.params import (
    FolderPatchParams,
    PatchParams,
    extension_list,
    one_of,
    optional_at_least,
)
from gan_engine.data.volumes.selector import (
    FolderSourceSelector,
    SourceSelector,
    prepare_sources,
    raise_param_errors,
)
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.io.nifti import FOURTH_AXIS_MODES, NIFTI_EXTENSIONS, FourthAxis, nifti_sources
from gan_engine.io.optional import missing_extra
from gan_engine.params import at_least
from gan_engine.registry import Capabilities, register_dataset
from gan_engine.types import BuildContext, SpatialDims

VOLUME_CAPABILITIES = Capabilities(spatial_dims=frozenset({3}))
SAMPLE_MRI_FILES: tuple[str, ...] = ("example4d.nii.gz", "anatomical.nii")
_EXAMPLE4D_SLICES = 24


def _volumes_only(context: BuildContext) -> list[InvalidParamError]:
    if context.spatial_dims == 3:
        return []
    msg = f"volume datasets are 3D, the run has spatial_dims={context.spatial_dims}"
    return [InvalidParamError("spatial_dims", msg)]


def _volume_indices(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not value or any(index < 0 for index in value):
        msg = f"expected a non-empty list of indices >= 0 along the fourth axis, got {value}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class MedicalMRIParams(FolderPatchParams):
    """Parameters of ``medical_mri`` (see :class:`FolderPatchParams` for the rest).

    Attributes:
        extensions: NIfTI file extensions.
        intensity: per-volume ``percentile`` scaling by default.
        fourth_axis: for 4D files: ``volumes`` (each selected volume/time point is a separate
            single-channel volume) or ``channels`` (the selected volumes are the channels).
        volumes: indices along the fourth axis to use (``None``: all); ``[0]`` picks one time point.
    """

    extensions: list[str] = attrs.field(
        factory=lambda: list(NIFTI_EXTENSIONS), validator=extension_list
    )
    intensity: IntensityMode = attrs.field(default="percentile", validator=one_of(INTENSITY_MODES))
    fourth_axis: FourthAxis = attrs.field(default="volumes", validator=one_of(FOURTH_AXIS_MODES))
    volumes: list[int] | None = attrs.field(default=None, validator=_volume_indices)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Base and folder checks, 3D only, and channel counts the fourth axis can give."""
        errors = super().check(context) + _volumes_only(context)
        if self.fourth_axis == "volumes" and context.channels != 1:
            msg = f"'volumes' gives 1-channel volumes, the run has channels={context.channels}"
            errors.append(InvalidParamError("fourth_axis", msg))
        if (
            self.fourth_axis == "channels"
            and self.volumes
            and len(self.volumes) != context.channels
        ):
            msg = f"selects {len(self.volumes)} channel(s), the run has channels={context.channels}"
            errors.append(InvalidParamError("volumes", msg))
        return errors


@register_dataset("medical_mri", params=MedicalMRIParams, capabilities=VOLUME_CAPABILITIES)
class MedicalMRISelector(FolderSourceSelector):
    """NIfTI volumes from a folder (3D), random patches with LR made on the fly."""

    noun = "data"
    what = "NIfTI file"

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: MedicalMRIParams
    ) -> None:
        self.fourth_axis: FourthAxis = params.fourth_axis
        self.volumes = params.volumes
        super().__init__(spatial_dims, channels, scale, params)

    def open_file(self, path: Path) -> list[ArraySource]:
        """The volumes of one NIfTI file (several for a 4D file read as ``volumes``)."""
        return list(nifti_sources(path, self.fourth_axis, self.volumes))


def sample_mri_files() -> dict[str, Path]:
    """The real MRI scans shipped in nibabel's test data, by file name (nothing is downloaded)."""
    try:
        import nibabel  # noqa: F401 - only to fail with the extra's name when absent
    except ImportError as error:
        raise missing_extra(error, feature="The sample_mri dataset", extra="medical") from error
    folder = importlib.resources.files("nibabel") / "tests" / "data"
    found = {name: Path(str(folder / name)) for name in SAMPLE_MRI_FILES}
    missing = [str(path) for path in found.values() if not path.is_file()]
    if missing:
        msg = f"nibabel's sample scans are missing (stripped test data?): {', '.join(missing)}"
        raise DataError(msg)
    return found


@attrs.frozen(kw_only=True)
class SampleMRIParams(PatchParams):
    """Parameters of ``sample_mri`` (see :class:`PatchParams` for the rest).

    Attributes:
        val_slices: top slices (NIfTI ``k`` axis) of ``example4d.nii.gz`` held out for validation;
            training never sees them, from either time point.
        include_anatomical: also train on ``anatomical.nii`` (a different scan and contrast).
    """

    patch_size: int = attrs.field(default=32, validator=at_least(1))
    patch_depth: int | None = attrs.field(default=16, validator=optional_at_least(1))
    val_patch_size: int = attrs.field(default=32, validator=at_least(1))
    val_patch_depth: int | None = attrs.field(default=8, validator=optional_at_least(1))
    intensity: IntensityMode = attrs.field(default="percentile", validator=one_of(INTENSITY_MODES))
    cache: bool = True
    val_slices: int = attrs.field(default=8, validator=at_least(1))
    include_anatomical: bool = True

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Base checks, 3D only, one channel, and a split that leaves slices for training."""
        errors = super().check(context) + _volumes_only(context)
        if context.channels != 1:
            msg = f"the sample scans have 1 channel, the run has channels={context.channels}"
            errors.append(InvalidParamError("channels", msg))
        if self.val_slices >= _EXAMPLE4D_SLICES:
            msg = f"must leave training slices of the {_EXAMPLE4D_SLICES}, got {self.val_slices}"
            errors.append(InvalidParamError("val_slices", msg))
        return errors

    @classmethod
    def tiny(cls) -> SampleMRIParams:
        """Small patches and few samples, for fast tests."""
        return cls(
            patch_size=16, patch_depth=8, val_patch_size=32, val_patch_depth=8, samples_per_epoch=8
        )


@register_dataset("sample_mri", params=SampleMRIParams, capabilities=VOLUME_CAPABILITIES)
class SampleMRISelector(SourceSelector):
    """Real MRI scans from nibabel's test data (no download), split by slices.

    ``example4d.nii.gz`` is a 4D EPI series (128x96x24 voxels of 2x2x2.2 mm, 2 time points). Its two
    time points image the same anatomy and differ by about 2% of the mean intensity, so holding one
    out would leak; instead the top
    ``val_slices`` slices of time point 0 are the validation volume and slices below them, from both
    time points, train. ``anatomical.nii`` (33x41x25 voxels of 2 mm, a normalised structural scan)
    also trains unless ``include_anatomical`` is false. Each volume (each time point) is scaled
    by its own percentiles, taken over the whole volume: the two numbers of time point 0 do see
    its held-out slices, as they would at inference, where the whole scan is at hand.
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: SampleMRIParams | None = None,
    ) -> None:
        params = params or SampleMRIParams()
        context = BuildContext(spatial_dims=spatial_dims, channels=channels, scale=scale)
        raise_param_errors(params, context)
        files = sample_mri_files()
        series = nifti_sources(files["example4d.nii.gz"], "volumes")
        anatomical = nifti_sources(files["anatomical.nii"]) if params.include_anatomical else []
        prepared, data_range, quantise = prepare_sources([*series, *anatomical], params, channels)
        mapped_series, mapped_anatomical = prepared[: len(series)], prepared[len(series) :]
        depth, height, width = mapped_series[0].shape[1:]
        cut = depth - params.val_slices
        below = ((0, cut), (0, height), (0, width))
        above = ((cut, depth), (0, height), (0, width))
        train: list[ArraySource] = [
            RegionView(volume, below, f"slices 0-{cut - 1}") for volume in mapped_series
        ]
        train += mapped_anatomical
        val = [RegionView(mapped_series[0], above, f"slices {cut}-{depth - 1}")]
        super().__init__(context, params, train, val, data_range=data_range, quantise=quantise)
