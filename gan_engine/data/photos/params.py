"""Parameters of the photo datasets (``rgb_folder``, ``sample_photos``, and the prompted photos).

Sizes are in HR pixels and must be multiples of the scale. Folder parameters are checked when the
spec is loaded (the folder exists and holds enough images for the split).
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import attrs

from gan_engine.data.files import (
    IMAGE_EXTENSIONS,
    available_sample_photos,
    files_needed,
    list_images,
    normalise_extensions,
    resolve_folder,
)
from gan_engine.data.unreadable import UNREADABLE_POLICY, UnreadablePolicy
from gan_engine.degradation_spec import mode_or_stages
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.io.images import COLOR_CHANNELS, COLOR_MODES, ColorMode
from gan_engine.params import at_least, one_of
from gan_engine.types import BuildContext

PhotoDegradation: TypeAlias = Literal["bicubic", "area"]
PHOTO_DEGRADATIONS: tuple[PhotoDegradation, ...] = ("bicubic", "area")


def photo_mode(value: object) -> PhotoDegradation:
    """The per-sample mode of a ``degradation`` value (``bicubic`` under a stage list)."""
    return "area" if value == "area" else "bicubic"


def _folder_name(_instance: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        msg = f"expected a folder path, got {value!r}"
        raise InvalidParamError(attribute.name, msg)


def _extensions(_instance: Any, attribute: attrs.Attribute[Any], value: list[str]) -> None:
    if not value or any(not extension.strip(".") for extension in value):
        msg = f"expected a non-empty list of file extensions such as 'png', got {value!r}"
        raise InvalidParamError(attribute.name, msg)


def _val_images(_instance: Any, attribute: attrs.Attribute[Any], value: list[str]) -> None:
    available = list(available_sample_photos())
    unknown = [name for name in value if name not in available]
    if unknown:
        msg = f"unknown sample photos {unknown}; available: {available}"
        raise InvalidParamError(attribute.name, msg)
    if not value or len(set(value)) != len(value):
        msg = f"expected a non-empty list of distinct photo names, got {value}"
        raise InvalidParamError(attribute.name, msg)
    if len(value) >= len(available):
        msg = f"holds out all {len(available)} available photos, leaving none for training"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class PhotoParams:
    """Parameters shared by the photo datasets.

    Attributes:
        patch_size: side of the square HR training crop, in pixels; a multiple of the scale.
        val_patch_size: side of the square HR validation tiles; a multiple of the scale.
        color: ``"rgb"`` (3 channels) or ``"gray"`` (1 channel).
        degradation: how LR is made from HR: ``"bicubic"`` (antialiased) or ``"area"`` per sample,
            or a list of degradation stages applied per batch (``bicubic`` LR until then).
        augment: random flips and quarter turns of training crops.
        samples_per_epoch: training crops per epoch.
        cache: decode every image once and keep it in memory.
        seed: seed of the crops and augmentations (with the epoch and the item index).
        quantise: round LR to integer levels, as if saved to an image file.
    """

    patch_size: int = attrs.field(default=96, validator=at_least(1))
    val_patch_size: int = attrs.field(default=192, validator=at_least(1))
    color: ColorMode = attrs.field(default="rgb", validator=one_of(COLOR_MODES))
    degradation: PhotoDegradation | tuple[Any, ...] = attrs.field(
        default="bicubic", validator=mode_or_stages(PHOTO_DEGRADATIONS)
    )
    augment: bool = True
    samples_per_epoch: int = attrs.field(default=512, validator=at_least(1))
    cache: bool = False
    seed: int = attrs.field(default=0, validator=at_least(0))
    quantise: bool = True

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Errors for dims other than 2, a channel count other than the colour's, patch sizes."""
        errors: list[InvalidParamError] = []
        if context.spatial_dims != 2:
            msg = f"photo datasets are 2D, the run has spatial_dims={context.spatial_dims}"
            errors.append(InvalidParamError("spatial_dims", msg))
        expected = COLOR_CHANNELS[self.color]
        if context.channels != expected:
            msg = (
                f"color {self.color!r} gives {expected} channel(s), "
                f"the run has channels={context.channels}"
            )
            errors.append(InvalidParamError("color", msg))
        for key, size in (("patch_size", self.patch_size), ("val_patch_size", self.val_patch_size)):
            if size % context.scale:
                msg = f"must be a multiple of the scale {context.scale}, got {size}"
                errors.append(InvalidParamError(key, msg))
        return errors


def _folder_errors(folder: str, extensions: list[str], needed: int, why: str) -> list[str]:
    """Problems with an image folder: missing, not a folder, no images, fewer than ``needed``."""
    path = resolve_folder(folder)
    if not path.exists():
        return [f"folder {path} does not exist"]
    if not path.is_dir():
        return [f"{path} is not a folder"]
    try:
        count = len(list_images(path, extensions))
    except DataError as error:
        return [str(error)]
    if count == 0:
        return [f"no images with extensions {sorted(normalise_extensions(extensions))} in {path}"]
    if count < needed:
        return [f"{path} holds {count} image(s), {needed} needed ({why})"]
    return []


@attrs.frozen(kw_only=True)
class RGBFolderParams(PhotoParams):
    """Parameters of ``rgb_folder``.

    Attributes:
        root: folder of HR images (relative to the working directory); not searched recursively.
        val_root: folder of validation images; when absent the last ``val_count`` images of ``root``
            (sorted by name) are held out for validation.
        val_count: images held out of ``root`` when ``val_root`` is absent.
        extensions: file extensions (any case) that count as images.
        unreadable: a file that cannot be read: ``fail`` (stop, naming it) or ``skip`` (leave it
            out, count it per epoch, name the first few at the end; see
            :mod:`gan_engine.data.unreadable`).
    """

    root: str = attrs.field(validator=_folder_name)
    val_root: str | None = attrs.field(default=None, validator=_folder_name)
    val_count: int = attrs.field(default=2, validator=at_least(1))
    extensions: list[str] = attrs.field(
        factory=lambda: list(IMAGE_EXTENSIONS), validator=_extensions
    )
    unreadable: UnreadablePolicy = attrs.field(default="fail", validator=UNREADABLE_POLICY)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """Base checks plus: the folders exist and hold enough images for the split."""
        errors = super().check(context)
        needed, why = files_needed(self.val_root, self.val_count)
        errors.extend(
            InvalidParamError("root", message)
            for message in _folder_errors(self.root, self.extensions, needed, why)
        )
        if self.val_root is not None:
            errors.extend(
                InvalidParamError("val_root", message)
                for message in _folder_errors(self.val_root, self.extensions, 1, "validation")
            )
        return errors


@attrs.frozen(kw_only=True)
class SamplePhotosParams(PhotoParams):
    """Parameters of ``sample_photos`` (the photos shipped with scikit-image).

    Attributes:
        val_images: names of the photos held out for validation; the others train.
        cache: decode each photo once and keep it in memory (the set is small).
    """

    val_images: list[str] = attrs.field(
        factory=lambda: ["chelsea", "coffee"], validator=_val_images
    )
    cache: bool = True

    @classmethod
    def tiny(cls) -> SamplePhotosParams:
        """Small crops and few samples, for fast tests."""
        return cls(patch_size=32, val_patch_size=64, samples_per_epoch=16)
