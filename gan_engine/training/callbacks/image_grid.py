"""Preview grids of validation samples: the task's titled columns, one row per sample, captions.

The task's validation step returns a :class:`~gan_engine.types.Preview` under ``outputs["preview"]``
(super-resolution: LR | bicubic | SR | HR). The grid has a header strip with the column titles,
then one row of tiles per sample, each followed by a caption strip when the preview has captions
(e.g. the prompt). Text is drawn with Pillow's built-in bitmap font, so nothing is downloaded.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import lightning.pytorch as pl
import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont
from torch import Tensor

from gan_engine.types import Preview

PREVIEW_KEY = "preview"
"""Key of the :class:`~gan_engine.types.Preview` in the validation step's outputs."""

IMAGE_TAG = "val/preview"
"""Tag (TensorBoard) and key (W&B) of the logged grid."""

GAP = 2
"""White pixels around every tile."""

TEXT_MARGIN = 3
"""Pixels of white above and below each line of text."""


def is_mask(x: Tensor) -> bool:
    """Whether a one-sample column ``[C, *S]`` is a hole mask: bool, or one band of only 0s and 1s."""
    if x.dtype == torch.bool:
        return True
    return x.shape[0] == 1 and bool(((x == 0) | (x == 1)).all())


def to_display(x: Tensor, data_range: float) -> Tensor:
    """Map one sample ``[C, *S]`` in sensor units to an 8-bit-ready ``[3, H, W]`` image in ``[0, 1]``.

    Volumes show their middle depth slice; one band is shown as grey; more than three bands show the
    first three as RGB. A mask (see :func:`is_mask`) is drawn as is: holes white, known pixels black.
    """
    if x.ndim == 4:
        x = x[:, x.shape[1] // 2]
    x = x.float() if is_mask(x) else x.float() / data_range
    x = x[:3] if x.shape[0] >= 3 else x[:1].expand(3, -1, -1)
    return x.clamp(0.0, 1.0)


def preview_rows(preview: Preview, data_range: float, max_samples: int) -> list[Tensor]:
    """One ``[3, h, w]`` strip of tiles per sample (at most ``max_samples``), in ``[0, 1]``.

    Every tile is enlarged with nearest-neighbour to the largest column's size (so LR pixels stay
    visible) and framed by a ``GAP``-pixel white border.
    """
    if not preview.columns:
        return []
    count = min(max_samples, *(batch.shape[0] for _, batch in preview.columns))
    samples = [
        [to_display(batch[index].detach().cpu(), data_range) for _, batch in preview.columns]
        for index in range(count)
    ]
    if not samples:
        return []
    height = max(tile.shape[-2] for tile in samples[0])
    width = max(tile.shape[-1] for tile in samples[0])
    rows = []
    for tiles in samples:
        framed = []
        for tile in tiles:
            if tile.shape[-2:] != (height, width):
                tile = F.interpolate(tile[None], size=(height, width), mode="nearest")[0]
            framed.append(F.pad(tile, (GAP, GAP, GAP, GAP), value=1.0))
        rows.append(torch.cat(framed, dim=2))
    return rows


def _latin1(text: str) -> str:
    """The bitmap font has Latin-1 glyphs only: other characters become ``?``."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _line_height(font: ImageFont.ImageFont) -> int:
    return font.getbbox("Ag")[3] + 2 * TEXT_MARGIN


def _fit(text: str, width: int, font: ImageFont.ImageFont) -> str:
    """``text`` shortened (ending ``..``) to at most ``width`` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "..") > width:
        text = text[:-1]
    return text + ".." if text else ""


def _header(titles: list[str], width: int, font: ImageFont.ImageFont) -> npt.NDArray[np.uint8]:
    """A white ``[h, width, 3]`` strip with each title centred over its column of tiles."""
    strip = Image.new("RGB", (width, _line_height(font)), "white")
    draw = ImageDraw.Draw(strip)
    tile_width = width // len(titles)
    for index, title in enumerate(titles):
        fitted = _fit(_latin1(title), tile_width - 2 * GAP, font)
        left = index * tile_width + max(GAP, (tile_width - int(font.getlength(fitted))) // 2)
        draw.text((left, TEXT_MARGIN), fitted, fill="black", font=font)
    return np.asarray(strip, dtype=np.uint8)


def _caption(text: str, width: int, font: ImageFont.ImageFont) -> npt.NDArray[np.uint8]:
    """A white ``[h, width, 3]`` strip with ``text`` wrapped to ``width`` pixels."""
    chars = max(8, (width - 2 * GAP) // max(1, int(font.getlength("n"))))
    lines = textwrap.wrap(_latin1(text), chars) or [""]
    height = _line_height(font)
    strip = Image.new("RGB", (width, height * len(lines)), "white")
    draw = ImageDraw.Draw(strip)
    for index, line in enumerate(lines):
        draw.text((GAP, TEXT_MARGIN + index * height), line, fill="black", font=font)
    return np.asarray(strip, dtype=np.uint8)


def render_preview(preview: Preview, data_range: float, max_samples: int) -> npt.NDArray[np.uint8]:
    """The whole grid as an ``[H, W, 3]`` uint8 array: header, rows and caption strips.

    The header holds each column's title over its tiles; a caption is wrapped to the grid's width.
    """
    rows = preview_rows(preview, data_range, max_samples)
    if not rows:
        msg = "the preview has no columns or no samples to draw"
        raise ValueError(msg)
    font = ImageFont.load_default_imagefont()
    width = rows[0].shape[-1]
    parts = [_header([title for title, _ in preview.columns], width, font)]
    for index, row in enumerate(rows):
        parts.append((row.permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8))
        if preview.captions is not None and index < len(preview.captions):
            parts.append(_caption(preview.captions[index], width, font))
    return np.concatenate(parts, axis=0)


def write_png(image: npt.NDArray[np.uint8], path: Path) -> None:
    """Write an ``[H, W, 3]`` uint8 image as a PNG, atomically (temporary file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".png.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            Image.fromarray(image).save(stream, format="PNG")
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@runtime_checkable
class ImageWriter(Protocol):
    """What TensorBoard's ``SummaryWriter`` (torch's or tensorboardX's) offers for images."""

    def add_image(
        self, tag: str, img_tensor: Any, global_step: int, dataformats: str = "CHW"
    ) -> Any:
        """Record one image."""
        ...


@runtime_checkable
class ImageLogger(Protocol):
    """A Lightning logger with ``log_image`` (W&B's: each image becomes a ``wandb.Image``)."""

    def log_image(
        self, key: str, images: list[Any], step: int | None = None, **kwargs: Any
    ) -> None:
        """Log a list of images under ``key``."""
        ...


def log_to_loggers(trainer: pl.Trainer, image: npt.NDArray[np.uint8], caption: str) -> int:
    """Send ``image`` to every logger that takes images; returns how many did.

    TensorBoard gets ``add_image`` and W&B ``log_image``, both at ``trainer.global_step`` so that
    images line up with the scalars Lightning logs.
    """
    logged = 0
    for logger in trainer.loggers:
        if isinstance(logger, ImageLogger):
            logger.log_image(IMAGE_TAG, [image], step=trainer.global_step, caption=[caption])
            logged += 1
            continue
        experiment = getattr(logger, "experiment", None)
        if isinstance(experiment, ImageWriter):
            experiment.add_image(IMAGE_TAG, image, trainer.global_step, dataformats="HWC")
            logged += 1
    return logged


class ValidationImageGrid(pl.Callback):
    """Draws ``outputs["preview"]`` of the first validation batch of each validation run.

    Writes ``<folder>/val_step<N>.png`` (``N``: the generator step) and logs the same image to
    TensorBoard and W&B when those loggers are active. Skipped during Lightning's sanity check, on
    ranks other than 0, and when the outputs carry no :class:`~gan_engine.types.Preview`.
    """

    def __init__(self, folder: str | Path, data_range: float, max_samples: int = 4) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.data_range = data_range
        self.max_samples = max_samples
        self.last_path: Path | None = None

    def on_validation_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        """Draw, write and log the grid from the first batch."""
        if batch_idx != 0 or trainer.sanity_checking or not trainer.is_global_zero:
            return
        preview = outputs.get(PREVIEW_KEY) if isinstance(outputs, Mapping) else None
        if not isinstance(preview, Preview):
            return
        step = int(getattr(pl_module, "generator_steps", trainer.global_step))
        image = render_preview(preview, self.data_range, self.max_samples)
        path = self.folder / f"val_step{step:07d}.png"
        write_png(image, path)
        self.last_path = path
        log_to_loggers(trainer, image, f"generator step {step}")
