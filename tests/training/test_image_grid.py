"""The preview grid: titled columns, rows as before, caption strips, masks, and logging to loggers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from gan_engine.training.callbacks.image_grid import (
    GAP,
    IMAGE_TAG,
    ValidationImageGrid,
    log_to_loggers,
    render_preview,
)
from gan_engine.types import Preview

RANGE = 255.0
HR = 32
"""HR tile size: wide enough for every title."""


def _sr_preview(batch: int = 2, dims: int = 2) -> Preview:
    generator = torch.Generator().manual_seed(0)
    lr = torch.rand(batch, 3, *([HR // 2] * dims), generator=generator) * RANGE
    hr = torch.rand(batch, 3, *([HR] * dims), generator=generator) * RANGE
    sr = torch.rand(batch, 3, *([HR] * dims), generator=generator) * RANGE
    bicubic = torch.rand(batch, 3, *([HR] * dims), generator=generator) * RANGE
    return Preview((("LR", lr), ("bicubic", bicubic), ("SR", sr), ("HR", hr)))


def _old_grid(preview: Preview, count: int) -> np.ndarray:
    """The grid as drawn before previews existed: LR | bicubic | SR | HR, no header."""
    rows = []
    for index in range(count):
        tiles = []
        for _, batch in preview.columns:
            tile = (batch[index] / RANGE).clamp(0, 1)
            if tile.shape[-2:] != (HR, HR):
                tile = F.interpolate(tile[None], size=(HR, HR), mode="nearest")[0]
            tiles.append(F.pad(tile, (GAP, GAP, GAP, GAP), value=1.0))
        rows.append(torch.cat(tiles, dim=2))
    grid = torch.cat(rows, dim=1)
    return (grid.permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)


def test_sr_grid_is_the_old_grid_under_a_header_of_titles() -> None:
    preview = _sr_preview()
    image = render_preview(preview, RANGE, max_samples=4)
    old = _old_grid(preview, 2)
    header = image.shape[0] - old.shape[0]
    assert header > 0
    assert image.shape[1:] == old.shape[1:]
    assert np.array_equal(image[header:], old)
    tile_width = old.shape[1] // 4
    for column in range(4):  # every title leaves dark pixels over its own column
        assert (image[:header, column * tile_width : (column + 1) * tile_width] < 128).any()


def test_max_samples_limits_the_rows_and_volumes_show_their_middle_slice() -> None:
    preview = _sr_preview(batch=3, dims=3)
    image = render_preview(preview, RANGE, max_samples=1)
    middle = Preview(
        tuple((title, batch[:, :, batch.shape[2] // 2]) for title, batch in preview.columns)
    )
    flat = render_preview(middle, RANGE, max_samples=1)
    assert np.array_equal(image, flat)
    assert image.shape[0] - (HR + 2 * GAP) == render_preview(middle, RANGE, 3).shape[0] - 3 * (
        HR + 2 * GAP
    )


def test_captions_add_a_text_strip_under_each_row() -> None:
    plain = _sr_preview()
    captioned = Preview(
        plain.columns, captions=("a red barn at dusk", "snow ☃ on a long ridge " * 6)
    )
    without = render_preview(plain, RANGE, 4)
    image = render_preview(captioned, RANGE, 4)
    assert image.shape[1] == without.shape[1]
    extra = image.shape[0] - without.shape[0]
    assert extra > 0
    header = without.shape[0] - 2 * (HR + 2 * GAP)
    row = HR + 2 * GAP
    first_caption = image[header + row : header + row + extra // 3]
    assert (first_caption < 128).any()
    assert np.array_equal(image[header : header + row], without[header : header + row])


def test_masks_are_drawn_black_and_white_whatever_the_data_range() -> None:
    holes = torch.zeros(1, 1, 8, 8)
    holes[..., :4] = 1.0
    image = render_preview(Preview((("mask", holes),)), RANGE, 1)
    tile = image[-(8 + GAP) : -GAP, GAP : GAP + 8]
    assert (tile[:, :4] == 255).all()
    assert (tile[:, 4:] == 0).all()
    boolean = render_preview(Preview((("mask", holes.bool()),)), RANGE, 1)
    assert np.array_equal(boolean, image)


def test_an_empty_preview_is_refused() -> None:
    with pytest.raises(ValueError, match="no columns or no samples"):
        render_preview(Preview(()), RANGE, 4)


class _Writer:
    def __init__(self) -> None:
        self.images: list[tuple[str, Any, int, str]] = []

    def add_image(
        self, tag: str, img_tensor: Any, global_step: int, dataformats: str = "CHW"
    ) -> None:
        self.images.append((tag, img_tensor, global_step, dataformats))


class _ImageLogger:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[Any], int | None, dict[str, Any]]] = []

    def log_image(
        self, key: str, images: list[Any], step: int | None = None, **kwargs: Any
    ) -> None:
        self.calls.append((key, images, step, kwargs))


def test_the_grid_reaches_tensorboard_style_and_wandb_style_loggers() -> None:
    writer, image_logger = _Writer(), _ImageLogger()
    loggers = [
        SimpleNamespace(experiment=writer),
        image_logger,
        SimpleNamespace(experiment=object()),
    ]
    trainer: Any = SimpleNamespace(loggers=loggers, global_step=6)
    image = np.zeros((4, 4, 3), dtype=np.uint8)
    assert log_to_loggers(trainer, image, "generator step 3") == 2
    assert writer.images == [(IMAGE_TAG, image, 6, "HWC")]
    assert image_logger.calls == [(IMAGE_TAG, [image], 6, {"caption": ["generator step 3"]})]


def _trainer(**overrides: Any) -> Any:
    values = {"sanity_checking": False, "is_global_zero": True, "loggers": [], "global_step": 4}
    return SimpleNamespace(**{**values, **overrides})


def test_callback_draws_the_preview_of_the_first_batch_only(tmp_path: Path) -> None:
    callback = ValidationImageGrid(tmp_path, RANGE, max_samples=2)
    module: Any = SimpleNamespace(generator_steps=2)
    preview = _sr_preview()
    callback.on_validation_batch_end(_trainer(), module, {"preview": preview}, None, 1)
    callback.on_validation_batch_end(
        _trainer(sanity_checking=True), module, {"preview": preview}, None, 0
    )
    callback.on_validation_batch_end(_trainer(), module, {"sr": preview.columns[2][1]}, None, 0)
    assert not list(tmp_path.iterdir())
    callback.on_validation_batch_end(_trainer(), module, {"preview": preview}, None, 0)
    assert callback.last_path == tmp_path / "val_step0000002.png"
    written = np.asarray(Image.open(callback.last_path))
    assert np.array_equal(written, render_preview(preview, RANGE, 2))
