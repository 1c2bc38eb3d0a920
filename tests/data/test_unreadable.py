"""The unreadable-file policy of every folder dataset: ``fail`` names the file, ``skip`` trains on.

One folder holds good and bad files of three families: a truncated PNG (its header reads, its
pixels do not), a zero-byte NIfTI and a corrupt GIF. A tiny Lightning fit on CPU runs over each
family's dataset.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import attrs
import lightning.pytorch as pl
import numpy as np
import pytest
import torch
from torch import nn

from gan_engine.data.datamodule import SRDataModule
from gan_engine.data.photos.params import RGBFolderParams
from gan_engine.data.photos.selectors import RGBFolderSelector
from gan_engine.data.rasters.params import RasterFolderParams, Sentinel2Params
from gan_engine.data.rasters.selectors import Sentinel2Selector
from gan_engine.data.unreadable import UnreadableFileError, UnreadableFiles
from gan_engine.data.volumes.mri import MedicalMRIParams, MedicalMRISelector
from gan_engine.data.volumes.videos import VideoParams, VideoSelector
from gan_engine.errors import InvalidParamError
from gan_engine.protocols import DatasetSelector
from gan_engine.types import BuildContext
from tests.data.conftest import WriteImage
from tests.data.modality_files import few_colour_frames, write_gif, write_nifti


@pytest.fixture
def mixed_folder(tmp_path: Path, write_image: WriteImage) -> Path:
    """Good PNGs, NIfTIs and GIFs, and one truncated PNG, one empty NIfTI, one corrupt GIF."""
    folder = tmp_path / "mixed"
    rng = np.random.default_rng(0)
    for name in ("a", "c", "d", "e"):
        write_image(folder / f"{name}.png", rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
    whole = (folder / "a.png").read_bytes()
    (folder / "b_truncated.png").write_bytes(whole[: len(whole) // 2])
    for name in ("a", "c", "d"):
        write_nifti(folder / f"{name}.nii", rng.normal(100, 20, (16, 16, 16)).astype(np.float32))
    (folder / "b_empty.nii").write_bytes(b"")
    for seed, name in enumerate(("a", "c", "d")):
        write_gif(folder / f"{name}.gif", few_colour_frames(8, 16, 16, seed))
    (folder / "b_corrupt.gif").write_bytes(b"GIF89a" + b"\x00not a gif" * 8)
    return folder


def photos(folder: Path, policy: str) -> RGBFolderSelector:
    params = RGBFolderParams(
        root=str(folder),
        patch_size=16,
        val_patch_size=16,
        samples_per_epoch=8,
        val_count=1,
        unreadable=policy,  # type: ignore[arg-type]
    )
    return RGBFolderSelector(2, 3, 4, params)


def volumes(folder: Path, policy: str) -> MedicalMRISelector:
    params = MedicalMRIParams(
        root=str(folder),
        patch_size=8,
        patch_depth=8,
        val_patch_size=8,
        val_patch_depth=8,
        samples_per_epoch=4,
        unreadable=policy,  # type: ignore[arg-type]
    )
    return MedicalMRISelector(3, 1, 2, params)


def videos(folder: Path, policy: str) -> VideoSelector:
    params = VideoParams(
        root=str(folder),
        patch_size=8,
        val_patch_size=8,
        samples_per_epoch=4,
        unreadable=policy,  # type: ignore[arg-type]
    )
    return VideoSelector(2, 3, 2, params)


class BatchSums(pl.LightningModule):
    """Records the sum of every training batch's HR: proof that batches arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(()))
        self.sums: list[float] = []

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        self.sums.append(float(batch["hr"].sum()))
        return self.weight * 0.0

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def fit(selector: DatasetSelector, tmp_path: Path, epochs: int = 2) -> BatchSums:
    module = SRDataModule(selector, batch_size=2, val_batch_size=2)
    model = BatchSums()
    trainer = pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
        default_root_dir=tmp_path,
    )
    trainer.fit(model, datamodule=module)
    return model


def test_a_truncated_png_fails_naming_it(mixed_folder: Path, tmp_path: Path) -> None:
    selector = photos(mixed_folder, "fail")  # headers read fine: the pixels fail when read
    with pytest.raises(UnreadableFileError, match=r"b_truncated\.png.*truncated"):
        fit(selector, tmp_path)


def test_a_truncated_png_is_skipped_counted_and_summarised(
    mixed_folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    selector = photos(mixed_folder, "skip")
    with caplog.at_level(logging.WARNING):
        model = fit(selector, tmp_path)
    assert len(model.sums) == 2 * 8 // 2  # every batch of both epochs arrived
    assert selector.unreadable_files.count >= 2  # the file is met in both epochs
    assert selector.unreadable_files.paths() == [str(mixed_folder / "b_truncated.png")]
    logged = caplog.text
    assert "training data: skipped" in logged
    assert "before epoch 1" in logged
    assert "unreadable read(s)" in logged
    assert "b_truncated.png" in logged


@pytest.mark.parametrize(
    ("make", "bad"),
    [(volumes, "b_empty.nii"), (videos, "b_corrupt.gif")],
    ids=["nifti", "gif"],
)
def test_a_file_that_cannot_be_opened_fails_naming_it(
    mixed_folder: Path, make: Any, bad: str
) -> None:
    with pytest.raises(UnreadableFileError, match=bad.replace(".", r"\.")):
        make(mixed_folder, "fail")


@pytest.mark.parametrize(
    ("make", "bad", "what"),
    [(volumes, "b_empty.nii", "NIfTI file"), (videos, "b_corrupt.gif", "video")],
    ids=["nifti", "gif"],
)
def test_a_file_that_cannot_be_opened_is_skipped_and_training_runs(
    mixed_folder: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    make: Any,
    bad: str,
    what: str,
) -> None:
    with pytest.warns(UserWarning, match=rf"skipped 1 unreadable {what}\(s\): .*{bad}"):
        selector = make(mixed_folder, "skip")
    kept = [path.name for path, _ in selector.train_files + selector.val_files]
    assert kept == [f"{stem}{Path(bad).suffix}" for stem in "acd"]
    with caplog.at_level(logging.WARNING):
        model = fit(selector, tmp_path, epochs=1)
    assert len(model.sums) == 2
    assert selector.unreadable_files.paths() == [str(mixed_folder / bad)]
    assert bad in caplog.text  # named again in the summary at the end of fit


def _truncate(path: Path) -> None:
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 3])


def test_a_file_corrupted_after_the_build_is_named_from_a_worker(
    tmp_path: Path, write_image: WriteImage
) -> None:
    folder = tmp_path / "photos"
    rng = np.random.default_rng(1)
    for name in "abc":
        write_image(folder / f"{name}.png", rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
    module = SRDataModule(photos(folder, "fail"), batch_size=2, val_batch_size=2, num_workers=1)
    module.setup("fit")
    _truncate(folder / "a.png")
    with pytest.raises(UnreadableFileError) as caught:
        list(module.train_dataloader())
    message = str(caught.value)
    assert message.startswith(f"cannot read image {folder / 'a.png'}")
    assert "DataLoader worker" in message
    assert "Traceback" not in message


def test_a_skipped_read_in_a_worker_reaches_the_main_process(
    tmp_path: Path, write_image: WriteImage
) -> None:
    folder = tmp_path / "photos"
    rng = np.random.default_rng(2)
    for name in "abc":
        write_image(folder / f"{name}.png", rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
    selector = photos(folder, "skip")
    module = SRDataModule(selector, batch_size=2, val_batch_size=2, num_workers=1)
    module.setup("fit")
    _truncate(folder / "b.png")
    batches = list(module.train_dataloader())
    assert len(batches) == 4
    assert all(batch["hr"].shape == (2, 3, 16, 16) for batch in batches)
    assert selector.unreadable_files.count > 0
    assert selector.unreadable_files.paths() == [str(folder / "b.png")]


def test_the_tally_counts_rows_and_keeps_the_first_paths() -> None:
    tally = UnreadableFiles()
    assert tally.summary() is None
    for index in range(7):
        tally.record(f"/data/file{index}.png")
    tally.record("/data/file0.png")
    assert tally.count == 8
    assert tally.paths() == [f"/data/file{index}.png" for index in range(5)]
    assert tally.new_since_last_call() == 8
    assert tally.new_since_last_call() == 0
    summary = tally.summary()
    assert summary is not None
    assert "/data/file0.png" in summary
    assert "skipped 8" in summary


def test_worker_tracebacks_shrink_to_the_message() -> None:
    wrapped = (
        "Caught UnreadableFileError in DataLoader worker process 0.\n"
        "Original Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n'
        "gan_engine.data.unreadable.UnreadableFileError: cannot read /d/a.png: truncated\n"
    )
    assert str(UnreadableFileError(wrapped)) == (
        "cannot read /d/a.png: truncated (read in a DataLoader worker)"
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: RGBFolderParams(root="x", unreadable="sometimes"),  # type: ignore[arg-type]
        lambda: MedicalMRIParams(root="x", unreadable="ignore"),  # type: ignore[arg-type]
        lambda: RasterFolderParams(root="x", unreadable="SKIP"),  # type: ignore[arg-type]
    ],
    ids=["photos", "volumes", "rasters"],
)
def test_the_policy_is_validated(make: Any) -> None:
    with pytest.raises(InvalidParamError, match=r"unreadable: expected one of 'fail', 'skip'"):
        make()


def test_rasters_keep_the_older_spelling() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert RasterFolderParams(root="x", skip_unreadable=True).unreadable_policy == "skip"
        assert RasterFolderParams(root="x", unreadable="skip").unreadable_policy == "skip"
        assert RasterFolderParams(root="x").unreadable_policy == "fail"


def test_rasters_skip_a_broken_first_file_and_one_broken_after_the_build(
    geotiff_folder: Path, tmp_path: Path
) -> None:
    (geotiff_folder / "0_broken.tif").write_bytes(b"II*\x00junk")  # sorts first: the load check
    params = Sentinel2Params(
        root=str(geotiff_folder), patch_size=16, val_patch_size=32, samples_per_epoch=4
    )
    assert params.check(BuildContext(spatial_dims=2, channels=4, scale=2))  # fail: checked first
    skipping = attrs.evolve(params, unreadable="skip")
    assert skipping.check(BuildContext(spatial_dims=2, channels=4, scale=2)) == []
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable raster file\(s\): .*0_broken"):
        selector = Sentinel2Selector(2, 4, 2, skipping)
    (geotiff_folder / "a.tif").write_bytes(b"II*\x00junk")  # broken after the build
    model = fit(selector, tmp_path, epochs=1)
    assert len(model.sums) == 2
    assert selector.unreadable_files.paths() == [
        str(geotiff_folder / "0_broken.tif"),
        str(geotiff_folder / "a.tif"),
    ]
