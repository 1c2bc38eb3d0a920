"""Parameters of the prompted datasets: a plain folder dataset's, plus where the prompts are.

Every file must have a prompt (a manifest row or a ``.txt`` sidecar); that is checked when the spec
loads, with the key ``prompts``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from gan_engine.data.files import list_images, resolve_folder
from gan_engine.data.photos.params import RGBFolderParams
from gan_engine.data.prompts.manifests import PromptEntry, prompts_for
from gan_engine.data.rasters.params import RasterFolderParams
from gan_engine.data.source_files import list_data_files
from gan_engine.data.volumes.mri import MedicalMRIParams
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.params import in_range
from gan_engine.types import BuildContext

Split = tuple[list[PromptEntry], list[str]]
"""Prompt entries and ids of a split's sources, in the order of its datasets' sources."""


DROPOUT = in_range(0.0, 1.0, high_open=True)


def _manifest(_instance: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and not str(value).endswith((".jsonl", ".csv")):
        msg = f"expected a .jsonl or .csv manifest, got {value!r}"
        raise InvalidParamError(attribute.name, msg)


Lister = Callable[[Path, Sequence[str]], list[Path]]
"""Lists a folder's files with given extensions, as the plain dataset does."""


def _prompt_errors(
    errors: list[InvalidParamError],
    folders: Sequence[str | None],
    files: tuple[Lister, Sequence[str]],
    manifest: str | None,
) -> list[InvalidParamError]:
    """When the spec loads: every file of ``folders`` has a prompt (skipped if ``errors`` already)."""
    if errors:
        return errors  # missing folders and the like come first
    lister, extensions = files
    try:
        paths = [
            path
            for folder in folders
            if folder is not None
            for path in lister(resolve_folder(folder), extensions)
        ]
        file_split(paths, manifest)
    except DataError as error:
        return [InvalidParamError("prompts", str(error))]
    return []


def file_split(paths: Sequence[Path], manifest: str | None) -> Split:
    """Prompts of files from ``manifest`` (or sidecars); ids are the file names."""
    entries = prompts_for(paths, None if manifest is None else resolve_folder(manifest))
    return entries, [path.name for path in paths]


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

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """``rgb_folder``'s checks, then: every image has a prompt."""
        errors = super().check(context)
        folders = [self.root, self.val_root]
        return _prompt_errors(errors, folders, (list_images, self.extensions), self.prompts)


@attrs.frozen(kw_only=True)
class PromptedRastersParams(RasterFolderParams):
    """Parameters of ``prompted_rasters``: ``raster_folder``'s, plus the prompts'.

    Attributes:
        prompts: a ``.jsonl`` or ``.csv`` manifest naming the HR rasters; ``None``: a ``.txt``
            file beside each HR raster.
        prompt_dropout: probability of training on an empty prompt instead.
    """

    prompts: str | None = attrs.field(default=None, validator=_manifest)
    prompt_dropout: float = attrs.field(default=0.0, validator=DROPOUT)


@attrs.frozen(kw_only=True)
class PromptedMRIParams(MedicalMRIParams):
    """Parameters of ``prompted_mri``: ``medical_mri``'s, plus the prompts'.

    Attributes:
        prompts: a ``.jsonl`` or ``.csv`` manifest naming the NIfTI files; ``None``: a ``.txt``
            file beside each (``scan.nii.gz`` → ``scan.nii.txt``, the last suffix replaced).
        prompt_dropout: probability of training on an empty prompt instead.
    """

    prompts: str | None = attrs.field(default=None, validator=_manifest)
    prompt_dropout: float = attrs.field(default=0.0, validator=DROPOUT)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """``medical_mri``'s checks, then: every NIfTI file has a prompt."""
        errors = super().check(context)
        folders = [self.root, self.val_root]
        return _prompt_errors(errors, folders, (list_data_files, self.extensions), self.prompts)
