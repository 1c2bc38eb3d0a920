"""Finding image files: in a user's folder, and the sample photos that ship inside scikit-image."""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from pathlib import Path

from gan_engine.errors import DataError

IMAGE_EXTENSIONS: tuple[str, ...] = ("png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp")

SAMPLE_PHOTO_FILES: dict[str, str] = {
    "astronaut": "astronaut.png",
    "chelsea": "chelsea.png",
    "coffee": "coffee.png",
    "rocket": "rocket.jpg",
    "hubble_deep_field": "hubble_deep_field.jpg",
    "ihc": "ihc.png",
    "motorcycle_left": "motorcycle_left.png",
    "motorcycle_right": "motorcycle_right.png",
    "retina": "retina.jpg",
}
"""Real RGB photos of scikit-image's data folder, by name (nothing is ever downloaded)."""


def resolve_folder(folder: str | Path) -> Path:
    """An absolute path: ``~`` expanded, relative paths taken from the working directory."""
    return Path(folder).expanduser().absolute()


def normalise_extensions(extensions: Iterable[str]) -> frozenset[str]:
    """Lower-case extensions without their leading dot (``".PNG"`` → ``"png"``)."""
    return frozenset(extension.lower().lstrip(".") for extension in extensions)


def list_images(folder: Path, extensions: Iterable[str]) -> list[Path]:
    """Files directly in ``folder`` whose extension (any case) is in ``extensions``, sorted by name.

    Sub-folders are not searched. An empty list is returned for a folder with no images; a missing
    folder or a plain file raises :class:`DataError`.
    """
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        msg = f"image folder {folder} {what}"
        raise DataError(msg)
    wanted = normalise_extensions(extensions)
    try:
        found = [
            path
            for path in folder.iterdir()
            if path.is_file() and path.suffix.lower().lstrip(".") in wanted
        ]
    except OSError as error:
        msg = f"cannot list image folder {folder}: {error}"
        raise DataError(msg) from error
    return sorted(found, key=lambda path: path.name)


def sample_photos_folder() -> Path:
    """scikit-image's ``data`` folder on disk."""
    try:
        folder = importlib.resources.files("skimage.data")
    except ModuleNotFoundError as error:
        msg = f"the sample_photos dataset needs scikit-image, which cannot be imported: {error}"
        raise DataError(msg) from error
    if not isinstance(folder, Path):
        msg = f"scikit-image's data folder is not a folder on disk ({folder!r})"
        raise DataError(msg)
    return folder


def available_sample_photos() -> dict[str, Path]:
    """The sample photos present on disk, by name, in :data:`SAMPLE_PHOTO_FILES` order."""
    folder = sample_photos_folder()
    found = {name: folder / file for name, file in SAMPLE_PHOTO_FILES.items()}
    return {name: path for name, path in found.items() if path.is_file()}


def files_needed(val_root: str | None, val_count: int) -> tuple[int, str]:
    """Files the training folder must hold, and why.

    ``val_count`` + 1 when validation is held out of it, 1 when validation has its own ``val_root``.
    """
    if val_root is None:
        return val_count + 1, f"val_count={val_count} held out for validation and 1 for training"
    return 1, "training"
