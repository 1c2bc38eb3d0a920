"""Scenes: an HR raster and, for paired data, its LR raster, matched by file stem and checked.

A paired scene's LR must be exactly ``1 / scale`` of its HR on both axes and hold the same bands;
anything else raises :class:`~gan_engine.errors.DataError` naming the pair and both sizes. HR-only
scenes get their LR by degradation at read time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from gan_engine.errors import DataError
from gan_engine.io.raster_header import RasterHeader


@attrs.frozen
class Scene:
    """One raster scene: ``hr`` and, for paired data, ``lr`` (``None``: LR made by degradation)."""

    hr: RasterHeader
    lr: RasterHeader | None = None

    @property
    def label(self) -> str:
        """The file(s) of the scene, for messages."""
        if self.lr is None:
            return str(self.hr.path)
        return f"LR {self.lr.path} / HR {self.hr.path}"


def pair_by_stem(lr_paths: Sequence[Path], hr_paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """``(lr, hr)`` pairs whose file names without extension are equal, sorted by name.

    Raises:
        DataError: a stem appears twice in one folder, or some files have no partner (listed).
    """
    lr_by_stem = _by_stem(lr_paths, "LR")
    hr_by_stem = _by_stem(hr_paths, "HR")
    lonely_lr = sorted(set(lr_by_stem) - set(hr_by_stem))
    lonely_hr = sorted(set(hr_by_stem) - set(lr_by_stem))
    if lonely_lr or lonely_hr:
        parts = []
        if lonely_lr:
            parts.append(
                f"LR files without an HR partner: {[str(lr_by_stem[s]) for s in lonely_lr]}"
            )
        if lonely_hr:
            parts.append(
                f"HR files without an LR partner: {[str(hr_by_stem[s]) for s in lonely_hr]}"
            )
        msg = "LR and HR files are paired by name; " + "; ".join(parts)
        raise DataError(msg)
    return [(lr_by_stem[stem], hr_by_stem[stem]) for stem in sorted(hr_by_stem)]


def _by_stem(paths: Sequence[Path], what: str) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in paths:
        if path.stem in found:
            msg = f"two {what} files share the name {path.stem!r}: {found[path.stem]} and {path}"
            raise DataError(msg)
        found[path.stem] = path
    return found


def check_pair(lr: RasterHeader, hr: RasterHeader, scale: int) -> Scene:
    """A paired scene after checking sizes against ``scale`` and the band counts.

    Raises:
        DataError: naming both files, when HR is not ``scale`` times LR on both axes or the band
            counts differ.
    """
    if (hr.height, hr.width) != (lr.height * scale, lr.width * scale):
        msg = (
            f"LR/HR pair {lr.path} ({lr.size_text}) and {hr.path} ({hr.size_text}): HR must be "
            f"scale {scale} times LR, i.e. {lr.width * scale}x{lr.height * scale}"
        )
        raise DataError(msg)
    if lr.bands != hr.bands:
        msg = f"LR/HR pair {lr.path} and {hr.path}: LR has {lr.bands} bands, HR has {hr.bands}"
        raise DataError(msg)
    return Scene(hr=hr, lr=lr)


def check_bands(headers: Sequence[RasterHeader], channels: int) -> None:
    """Raise :class:`DataError` naming the first file whose band count is not ``channels``."""
    for header in headers:
        if header.bands != channels:
            msg = (
                f"raster {header.path} has {header.bands} band(s), but Data.channels is {channels}"
            )
            raise DataError(msg)


def check_min_size(scenes: Sequence[Scene], size: int, what: str) -> None:
    """Raise :class:`DataError` naming the first scene whose HR is smaller than ``size`` pixels."""
    for scene in scenes:
        if min(scene.hr.height, scene.hr.width) < size:
            msg = (
                f"{scene.label}: HR is {scene.hr.size_text} pixels, smaller than one {what} of "
                f"{size}x{size}"
            )
            raise DataError(msg)
