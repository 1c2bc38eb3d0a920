"""Peak memory of writing streamed outputs (TIFF, NIfTI, MP4) at two input sizes: it should stay flat.

For each format the parent writes a synthetic input of two sizes that differ only along the axis the
tiler walks (image rows, volume slices, video frames) into a temporary folder; a fresh Python process
per input super-resolves it x2 with a nearest-neighbour "generator" (no weights, receptive field 0:
the cost is the I/O path, not the network) and explicit tiles, and reports its peak RSS before
predicting (imports, model), after opening and closing the input once (what the reader alone costs:
plain TIFF inputs are decoded whole) and after predicting. The output grows 4x (8x for the 3D volume)
between the sizes; a sink that held it whole would grow by that much, a streamed one by nothing.
The MP4 encoder runs in its own ffmpeg process, which ``ru_maxrss`` does not count.

    python benchmarks/streaming_outputs.py [--formats tif nii mp4] [--small] [--tile 256]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
"""The checkout whose ``gan_engine`` the children import (not an installed copy)."""

SIZES = {
    # format: (small input, large input): [H, W, C] image, (i, j, k) volume, [F, H, W, C] frames
    "tif": ((1024, 2048, 3), (4096, 2048, 3)),
    "nii": ((128, 128, 64), (128, 128, 256)),
    "mp4": ((16, 256, 256, 3), (64, 256, 256, 3)),
}


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pattern(shape: tuple[int, ...], dtype: type[np.generic]) -> np.ndarray:
    """A smooth deterministic array (so that MP4 encodes it quickly)."""
    grids = np.meshgrid(
        *(np.arange(n, dtype=np.float32) for n in shape), indexing="ij", sparse=True
    )
    field = sum(np.sin(g / (7.0 + 3 * i)) for i, g in enumerate(grids))
    return ((field / len(shape) + 1) * 120).astype(dtype)


def write_input(folder: Path, fmt: str, shape: tuple[int, ...]) -> Path:
    """The input file of ``shape`` in format ``fmt``."""
    path = folder / f"input_{'x'.join(map(str, shape))}.{fmt}"
    if fmt == "tif":
        import tifffile

        tifffile.imwrite(path, pattern(shape, np.uint8), photometric="rgb")
    elif fmt == "nii":
        import nibabel

        nibabel.save(nibabel.Nifti1Image(pattern(shape, np.float32), np.eye(4)), path)
    else:
        import imageio.v3 as iio

        iio.imwrite(path, pattern(shape, np.uint8), extension=".mp4", fps=25)
    return path


def measure(source: Path, target: Path, fmt: str, tile: int) -> dict[str, float]:
    """Child side: predict ``source`` into ``target`` and report memory."""
    import torch
    from torch import Tensor, nn

    from gan_engine.inference.predictor import PredictOptions, Predictor
    from gan_engine.io.formats import open_input
    from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams

    torch.set_num_threads(1)
    dims = 3 if fmt == "nii" else 2
    channels = 1 if fmt == "nii" else 3

    class Nearest(nn.Module):
        spatial_dims = dims
        in_channels = out_channels = channels
        scale = 2

        def forward(self, lr: Tensor, cond: Tensor | None = None) -> Tensor:
            return nn.functional.interpolate(lr, scale_factor=2, mode="nearest")

    normaliser = MinMaxNormaliser(channels, MinMaxParams(minimum=[0.0], maximum=[255.0]))
    predictor = Predictor(
        Nearest(),  # type: ignore[arg-type]
        normaliser,
        options=PredictOptions(tile=tile if dims == 2 else 32),
        receptive_field=0,
    )
    before = peak_rss_mb()
    # what the reader alone costs: photos and plain TIFFs are decoded whole (and transposed)
    opened = open_input(source, dims)
    opened.read(tuple(slice(0, 1) for _ in opened.shape[1:]))
    opened.close()
    del opened
    reader = peak_rss_mb()
    start = time.perf_counter()
    report = predictor.predict_file(source, target)
    seconds = time.perf_counter() - start
    output = int(np.prod(report.output_shape)) * (4 if fmt == "nii" else 1)
    return {
        "before_mb": round(before, 1),
        "input_opened_mb": round(reader, 1),
        "peak_mb": round(peak_rss_mb(), 1),
        "output_mb": round(output / 2**20, 1),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--tile", type=int, default=256, help="2D tile edge (3D: 32)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        source, target, fmt, tile = args.child
        print(json.dumps(measure(Path(source), Path(target), fmt, int(tile))))
        return
    path = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env = {**os.environ, "PYTHONPATH": path}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt in args.formats:
            for shape in SIZES[fmt]:
                source = write_input(folder, fmt, shape)
                target = folder / f"out_{source.name}"
                command = [sys.executable, __file__, "--child", str(source), str(target), fmt]
                result = subprocess.run(
                    [*command, str(args.tile)], capture_output=True, text=True, check=True, env=env
                )
                figures = json.loads(result.stdout.strip().splitlines()[-1])
                print(f"{fmt} input {shape}: {figures}", flush=True)
                target.unlink()
                source.unlink()


if __name__ == "__main__":
    main()
