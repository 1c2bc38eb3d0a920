"""Streamed outputs equal the in-memory result, and a failure mid-stream leaves no file behind.

Every output that can stream (TIFF and BigTIFF, NIfTI ``.nii`` and ``.nii.gz``, movie containers) is
written window by window while the tiler runs; these tests compare each with the whole array the
predictor computes in memory, written by the format library in one call.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from torch import Tensor

from gan_engine.inference.errors import OutputError
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.io.base import OutputLayout
from gan_engine.io.stream import FrameQueue, write_block
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from gan_engine.types import SpatialDims
from tests.inference.models import tiny_srresnet


def _predictor(dims: SpatialDims, channels: int, maximum: float, tile: int = 16) -> Predictor:
    model = tiny_srresnet(dims, channels, 2, seed=5, tail_gain=1.0)
    normaliser = MinMaxNormaliser(channels, MinMaxParams(minimum=[0.0], maximum=[maximum]))
    return Predictor(model, normaliser, options=PredictOptions(tile=tile, batch_size=2))


def _values(shape: tuple[int, ...], high: float, dtype: type[np.generic]) -> np.ndarray:
    rng = np.random.default_rng(3)
    smooth = np.cumsum(rng.random(shape), axis=-1)
    return (smooth / smooth.max() * high).astype(dtype)


def _fail_after(predictor: Predictor, calls: int) -> None:
    """Make the network fail on its ``calls + 1``-th batch, after some output was written."""
    forward: Callable[[Tensor], Tensor] = predictor._tiler.model
    seen = [0]

    def failing(batch: Tensor) -> Tensor:
        seen[0] += 1
        if seen[0] > calls:
            msg = "boom"
            raise RuntimeError(msg)
        return forward(batch)

    predictor._tiler.model = failing


# --- the building blocks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "size"),
    [
        ((0, 0, 0), (2, 5, 7)),
        ((1, 2, 0), (1, 2, 7)),
        ((0, 1, 3), (2, 3, 2)),
        ((1, 4, 6), (1, 1, 1)),
    ],
)
def test_a_block_lands_where_a_c_ordered_array_holds_it(
    tmp_path: Path, start: tuple[int, ...], size: tuple[int, ...]
) -> None:
    shape = (2, 5, 7)
    expected = np.zeros(shape, dtype=">u2")
    block = np.arange(1, np.prod(size) + 1, dtype=np.uint16).reshape(size)
    expected[tuple(slice(s, s + n) for s, n in zip(start, size, strict=True))] = block
    path = tmp_path / "array.bin"
    path.write_bytes(b"H" * 11 + bytes(expected.nbytes))
    with path.open("r+b") as file:
        write_block(file, 11, shape, start, block.astype(">u2"))
    assert path.read_bytes() == b"H" * 11 + expected.tobytes()


def test_a_block_outside_the_array_is_refused(tmp_path: Path) -> None:
    with (tmp_path / "a.bin").open("w+b") as file, pytest.raises(ValueError, match="does not fit"):
        write_block(file, 0, (4, 4), (3, 0), np.zeros((2, 4)))


def test_frames_are_handed_on_in_order_once_complete() -> None:
    emitted: list[np.ndarray] = []
    queue = FrameQueue((1, 3, 4, 2), np.dtype(np.uint8), emitted.append)
    full = np.arange(24, dtype=np.uint8).reshape(1, 3, 4, 2)
    queue.write((slice(0, 1), slice(0, 2), slice(0, 2)), full[:, 0:1, 0:2])
    assert emitted == []
    queue.write((slice(0, 1), slice(2, 4), slice(0, 2)), full[:, 0:1, 2:4])
    assert len(emitted) == 1
    queue.write((slice(1, 3), slice(0, 4), slice(0, 2)), full[:, 1:3])  # a 3D model's depth band
    assert queue.complete
    np.testing.assert_array_equal(np.stack(emitted, axis=1), full)


# --- TIFF and BigTIFF ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("axes", "shape", "photometric", "channels"),
    [
        ("YXS", (40, 36, 3), "rgb", 3),  # an RGB photo: interleaved, one write per row band
        ("ZYX", (3, 30, 34), "minisblack", 1),  # a stack of slices, frame by frame
        ("CYX", (2, 34, 30), "minisblack", 2),  # planar bands: one write per band and row band
    ],
)
def test_a_streamed_tiff_is_the_file_a_whole_array_write_gives(
    tmp_path: Path, axes: str, shape: tuple[int, ...], photometric: str, channels: int
) -> None:
    tifffile = pytest.importorskip("tifffile")
    source = tmp_path / "in.tif"
    data = _values(shape, 4000, np.uint16)
    tifffile.imwrite(source, data, photometric=photometric, metadata={"axes": axes})
    predictor = _predictor(2, channels, 4000.0)
    streamed = predictor.predict_file(source, tmp_path / "out.tif").target
    with tifffile.TiffFile(source) as tif:
        array = tif.series[0].asarray()
    lr = array.transpose(2, 0, 1) if axes == "YXS" else (array if axes == "CYX" else array[None])
    in_memory = predictor.predict(lr)
    whole = in_memory.transpose(1, 2, 0) if axes == "YXS" else in_memory
    reference = tmp_path / "whole.tif"
    tifffile.imwrite(
        reference,
        whole if channels > 1 else whole[0],
        photometric=photometric,
        metadata={"axes": axes},
    )
    assert streamed.read_bytes() == reference.read_bytes()


def test_bigtiff_is_written_when_asked_and_reads_back(tmp_path: Path) -> None:
    tifffile = pytest.importorskip("tifffile")
    from gan_engine.io.tiff import TiffSink

    full = _values((3, 20, 24), 250, np.uint8)
    layout = OutputLayout(
        shape=full.shape, dtype=full.dtype, nodata=None, scale=1, scaled=(True, True)
    )
    sink = TiffSink(tmp_path / "big.tif", layout, "YXS", "rgb", [1, 2, 0], bigtiff=True)
    for top in range(0, 20, 6):
        sink.write((slice(top, min(top + 6, 20)), slice(0, 24)), full[:, top : top + 6])
    sink.commit()
    reference = tmp_path / "whole.tif"
    tifffile.imwrite(
        reference,
        full.transpose(1, 2, 0),
        photometric="rgb",
        metadata={"axes": "YXS"},
        bigtiff=True,
    )
    assert (tmp_path / "big.tif").read_bytes() == reference.read_bytes()
    with tifffile.TiffFile(tmp_path / "big.tif") as tif:
        assert tif.is_bigtiff


# --- NIfTI -------------------------------------------------------------------------------------


def _nifti(path: Path, volume: np.ndarray) -> None:
    nibabel = pytest.importorskip("nibabel")
    affine = np.array([[2.0, 0, 0, -10], [0, 1.5, 0, 5], [0, 0, 3.0, 1], [0, 0, 0, 1]])
    nibabel.save(nibabel.Nifti1Image(volume, affine), path)


@pytest.mark.parametrize("suffix", [".nii", ".nii.gz"])
@pytest.mark.parametrize(
    ("dims", "shape"),
    [(3, (8, 6, 12)), (2, (28, 24, 3)), (2, (20, 18, 2, 2))],  # slabs; slices; banded slices
)
def test_a_streamed_nifti_is_the_file_nibabel_writes_for_the_whole_volume(
    tmp_path: Path, suffix: str, dims: SpatialDims, shape: tuple[int, ...]
) -> None:
    nibabel = pytest.importorskip("nibabel")
    volume = _values(shape, 1000, np.float32)
    source = tmp_path / f"in{suffix}"
    _nifti(source, volume)
    channels = shape[3] if len(shape) == 4 else 1
    predictor = _predictor(dims, channels, 1000.0, tile=14)
    streamed = predictor.predict_file(source, tmp_path / f"out{suffix}").target
    # the in-memory result, [C, k, j, i] → (i, j, k[, c])
    lr = volume[..., None] if len(shape) == 3 else volume
    in_memory = predictor.predict(np.ascontiguousarray(lr.transpose(3, 2, 1, 0)))
    whole = in_memory.transpose(3, 2, 1, 0)
    image = nibabel.load(streamed)
    np.testing.assert_array_equal(
        np.asarray(image.dataobj), whole if channels > 1 else whole[..., 0]
    )
    # byte for byte what nibabel writes for that array with the streamed header
    reference = tmp_path / "whole.nii"
    nibabel.Nifti1Image(np.asarray(image.dataobj), image.affine, header=image.header).to_filename(
        reference
    )
    written = (
        gzip.decompress(streamed.read_bytes()) if suffix == ".nii.gz" else streamed.read_bytes()
    )
    assert written == reference.read_bytes()


# --- video -------------------------------------------------------------------------------------


def _clip(path: Path, frames: int = 4) -> np.ndarray:
    iio = pytest.importorskip("imageio.v3")
    clip = _values((frames, 16, 32, 3), 250, np.uint8)  # 16 px: MP4 macroblocks
    iio.imwrite(path, clip, extension=path.suffix, fps=10)
    return clip


def test_video_frames_are_decoded_one_at_a_time_as_windows_ask(tmp_path: Path) -> None:
    iio = pytest.importorskip("imageio.v3")
    from gan_engine.io.video import VideoInput

    path = tmp_path / "clip.mp4"
    _clip(path, frames=5)
    whole = np.asarray(iio.imread(path, index=None)).transpose(3, 0, 1, 2)
    source = VideoInput(path)
    assert source.shape == whole.shape
    windows = [(1, 3, 2, 9), (2, 4, 0, 16), (4, 5, 5, 6), (0, 2, 3, 7)]  # the last one rewinds
    for first, stop, top, bottom in windows:
        window = (slice(first, stop), slice(top, bottom), slice(4, 20))
        np.testing.assert_array_equal(source.read(window), whole[(slice(None), *window)])
        assert max(source._kept) < stop  # nothing decoded beyond the window
        assert min(source._kept) >= first  # nothing kept before it
    source.close()


def test_a_streamed_movie_is_the_file_a_whole_clip_write_gives(tmp_path: Path) -> None:
    iio = pytest.importorskip("imageio.v3")
    from gan_engine.io.video import save_video

    source = tmp_path / "clip.mp4"
    _clip(source)
    predictor = _predictor(2, 3, 255.0, tile=14)
    streamed = predictor.predict_file(source, tmp_path / "out.mp4").target
    decoded = np.asarray(iio.imread(source, index=None)).transpose(3, 0, 1, 2)
    in_memory = predictor.predict(decoded)
    reference = tmp_path / "whole.mp4"
    save_video(in_memory, reference, {"fps": 10.0})
    np.testing.assert_array_equal(
        np.asarray(iio.imread(streamed, index=None)), np.asarray(iio.imread(reference, index=None))
    )
    assert iio.immeta(streamed)["fps"] == 10.0


# --- formats that cannot stream ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "instead"), [("photo.png", "TIFF (.tif)"), ("clip.gif", "MP4")])
def test_an_output_written_whole_over_the_budget_is_refused_before_any_work(
    tmp_path: Path, name: str, instead: str
) -> None:
    source = tmp_path / name
    if name.endswith(".gif"):
        iio = pytest.importorskip("imageio.v3")
        iio.imwrite(source, _values((3, 16, 20, 3), 250, np.uint8), extension=".gif", duration=80)
    else:
        Image.fromarray(_values((30, 40, 3), 250, np.uint8)).save(source)
    model = tiny_srresnet(2, 3, 2, seed=5, tail_gain=1.0)
    normaliser = MinMaxNormaliser(3, MinMaxParams(minimum=[0.0], maximum=[255.0]))
    predictor = Predictor(model, normaliser, options=PredictOptions(tile=16, max_memory=20_000))
    _fail_after(predictor, 0)  # any forward pass would fail with "boom"
    with pytest.raises(OutputError) as refused:
        predictor.predict_file(source, tmp_path / "out" / name)
    message = str(refused.value)
    assert "cannot be written in parts" in message
    assert "19.5 KiB (max_memory, --max-memory)" in message
    assert instead in message
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    # within the budget the same output is written
    predictor = Predictor(model, normaliser, options=PredictOptions(tile=16, max_memory=2**30))
    assert predictor.predict_file(source, tmp_path / "out" / name).target.is_file()


def test_predict_max_memory_reaches_the_refusal(checkpoint: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from containers.cli.main import main

    source = tmp_path / "photo.png"
    Image.fromarray(_values((20, 24, 3), 250, np.uint8)).save(source)
    args = ["predict", str(checkpoint), str(source), "--out", str(tmp_path / "o"), "--no-progress"]
    assert main([*args, "--accelerator", "cpu", "--max-memory", "64KiB"]) == 2
    err = capsys.readouterr().err
    assert "over the memory budget of 64.0 KiB" in err
    assert "TIFF (.tif)" in err
    assert main([*args, "--accelerator", "cpu", "--max-memory", "1GiB"]) == 0


# --- failures -----------------------------------------------------------------------------------


def _tiff_input(folder: Path) -> Path:
    tifffile = pytest.importorskip("tifffile")
    path = folder / "a.tif"
    tifffile.imwrite(path, _values((60, 40), 250, np.uint8), photometric="minisblack")
    return path


def _nifti_input(suffix: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / f"a{suffix}"
        _nifti(path, _values((40, 30, 3), 250, np.float32))
        return path

    return make


INPUTS: dict[str, Callable[[Path], Path]] = {
    "tif": _tiff_input,
    "nii": _nifti_input(".nii"),
    "nii.gz": _nifti_input(".nii.gz"),
    "mp4": lambda folder: (
        folder / "a.mp4" if _clip(folder / "a.mp4", frames=3) is not None else folder
    ),
}


@pytest.mark.parametrize("kind", sorted(INPUTS))
def test_a_failure_mid_stream_leaves_no_file(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    source = INPUTS[kind](folder)
    predictor = _predictor(2, 3 if kind == "mp4" else 1, 255.0)
    _fail_after(predictor, 3)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="boom"):
        predictor.predict_file(source, out / source.name)
    assert not out.exists() or list(out.iterdir()) == []
