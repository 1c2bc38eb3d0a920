"""Finding data files by extension (``nii.gz`` included) and splitting them into train and val."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from gan_engine.data.files import resolve_folder
from gan_engine.errors import DataError


def has_extension(path: Path, extensions: Iterable[str]) -> bool:
    """Whether the file name ends in ``.<extension>`` for one of ``extensions`` (any case)."""
    name = path.name.lower()
    return any(name.endswith("." + extension.lower().lstrip(".")) for extension in extensions)


def list_data_files(folder: Path, extensions: Sequence[str]) -> list[Path]:
    """Files directly in ``folder`` with one of ``extensions`` (multi-part ones like ``nii.gz`` too).

    Sorted by name; sub-folders are not searched. A missing folder or a plain file raises
    :class:`DataError`.
    """
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        msg = f"data folder {folder} {what}"
        raise DataError(msg)
    try:
        found = [
            path for path in folder.iterdir() if path.is_file() and has_extension(path, extensions)
        ]
    except OSError as error:
        msg = f"cannot list data folder {folder}: {error}"
        raise DataError(msg) from error
    return sorted(found, key=lambda path: path.name)


def folder_problems(folder: str, extensions: Sequence[str], needed: int, why: str) -> list[str]:
    """What is wrong with a data folder: missing, not a folder, fewer than ``needed`` files."""
    path = resolve_folder(folder)
    try:
        count = len(list_data_files(path, extensions))
    except DataError as error:
        return [str(error)]
    if count == 0:
        return [f"no files with extensions {sorted(extensions)} in {path}"]
    if count < needed:
        return [f"{path} holds {count} file(s), {needed} needed ({why})"]
    return []


def split_files(
    root: str, val_root: str | None, val_count: int, extensions: Sequence[str]
) -> tuple[list[Path], list[Path]]:
    """Training and validation files: ``val_root``'s files, or the last ``val_count`` of ``root``.

    Raises:
        DataError: a folder is missing or holds too few files.
    """
    files = list_data_files(resolve_folder(root), extensions)
    if val_root is not None:
        val = list_data_files(resolve_folder(val_root), extensions)
        train = files
    else:
        train, val = files[:-val_count], files[-val_count:]
    for what, chosen, folder in (("training", train, root), ("validation", val, val_root or root)):
        if not chosen:
            msg = (
                f"no {what} files with extensions {sorted(extensions)} in "
                f"{resolve_folder(folder)} (val_count={val_count})"
            )
            raise DataError(msg)
    return train, val
