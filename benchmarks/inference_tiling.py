"""Tiled inference: throughput against an untiled pass, and peak memory while streaming GeoTIFFs.

Model: a small SRResNet (1 block, 3x3 head and tail; 16 channels for throughput, 4 when streaming
to keep the 16k² run short), x2, random weights, minmax normaliser over 0..10000. Default tiling
(a 1024-px core plus the overlap = receptive field on each side, centre stitching), channels-last
memory format, freed memory reused while predicting.

1. Throughput on one in-memory input (``--throughput-size``² pixels, 2048 so that the default
   tiles split it, ``--throughput-bands`` bands, float32): the untiled network pass against
   ``Predictor.predict`` (tiling, stitching, dtype), best of ``--repeats`` interleaved runs; the
   overhead is ``tiled_time / untiled_time - 1``, in wall time and in CPU time (steadier when other
   processes share the cores).
2. Peak RSS of ``Predictor.predict_file`` on uint16 GeoTIFFs of each ``--sizes``² pixels
   (``--bands`` bands) in a temporary folder, each in a fresh process: ``VmHWM`` after resetting it
   (``/proc/self/clear_refs``) once the model is built and warmed up. The network's activations on
   one tile are measured the same way. Passes if the largest scene needs no more memory than the
   smallest plus the output buffers of one row of tiles of the largest (float32 band, its converted
   copy, GDAL's cache of partly written blocks), once the activation difference of their tiles
   (evenly shrunk, within the default tile edge) is set aside.

    python benchmarks/inference_tiling.py                      # 2k², 8k², 16k² at x2, 1 band
    python benchmarks/inference_tiling.py --sizes 2048 4096    # quicker
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
from typing import Any

import numpy as np
import torch

SCALE = 2
REPO = Path(__file__).resolve().parents[1]


def _model(bands: int, width: int) -> Any:
    from gan_engine.generators.srresnet import SRResNet, SRResNetParams
    from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams

    torch.manual_seed(0)
    params = SRResNetParams(n_channels=width, n_blocks=1, head_kernel_size=3)
    generator = SRResNet(2, bands, bands, SCALE, params).eval()
    normaliser = MinMaxNormaliser(bands, MinMaxParams(minimum=[0.0], maximum=[10000.0]))
    return generator, normaliser


def _predictor(bands: int, width: int, *, reuse_memory: bool = True) -> Any:
    from gan_engine.inference.predictor import PredictOptions, Predictor

    generator, normaliser = _model(bands, width)
    # channels-last: ~7x faster than NCHW for 16-channel convs on this CPU (both paths use it)
    options = PredictOptions(channels_last=True, reuse_memory=reuse_memory)
    return Predictor(generator, normaliser, options=options)


def _field(bands: int, rows: int, width: int, row0: int, rng: np.random.Generator) -> np.ndarray:
    r = np.arange(row0, row0 + rows)[:, None]
    c = np.arange(width)[None, :]
    base = np.sin(r / 37.0) * np.cos(c / 53.0)
    return np.stack([5000 + 3000 * base + rng.normal(0, 200, (rows, width)) for _ in range(bands)])


def throughput(size: int, bands: int, width: int, repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` wall and CPU (process) times of the untiled and the tiled pass.

    CPU time (user + system, all threads) counts the work done even when other processes share the
    cores, so its ratio is the steadier measure of the tiling overhead on a busy machine.
    """
    predictor = _predictor(bands, width)
    rng = np.random.default_rng(0)
    x = _field(bands, size, size, 0, rng).astype(np.float32)
    tensor = torch.from_numpy(x)[None].contiguous(memory_format=torch.channels_last)

    def untiled() -> None:
        with torch.inference_mode():
            predictor.model(tensor)

    def tiled() -> None:
        predictor.predict(x)

    untiled()
    tiled()  # warm-up
    wall = {"untiled": float("inf"), "tiled": float("inf")}
    cpu = dict(wall)
    for _ in range(repeats):
        for name, run in (("untiled", untiled), ("tiled", tiled)):
            started, started_cpu = time.perf_counter(), time.process_time()
            run()
            wall[name] = min(wall[name], time.perf_counter() - started)
            cpu[name] = min(cpu[name], time.process_time() - started_cpu)
    megapixels = size * size / 1e6
    grid = predictor._tiler.plan((size, size))
    return {
        "size": size,
        "bands": bands,
        "tiles": len(grid),
        "tile": grid.tile_shape[0],
        "overlap": predictor.tiling.overlap,
        "computed": len(grid) * grid.tile_shape[0] * grid.tile_shape[1] / (size * size) - 1,
        "untiled_s": wall["untiled"],
        "tiled_s": wall["tiled"],
        "untiled_mpx_s": megapixels / wall["untiled"],
        "tiled_mpx_s": megapixels / wall["tiled"],
        "overhead": wall["tiled"] / wall["untiled"] - 1,
        "untiled_cpu_s": cpu["untiled"],
        "tiled_cpu_s": cpu["tiled"],
        "cpu_overhead": cpu["tiled"] / cpu["untiled"] - 1,
    }


def make_geotiff(path: Path, size: int, bands: int) -> None:
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": bands,
        "dtype": "uint16",
        "crs": "EPSG:32633",
        "transform": from_origin(500000, 4600000, 10, 10),
        "nodata": 0,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "BIGTIFF": "IF_SAFER",
    }
    rng = np.random.default_rng(0)
    strip = 1024
    with rasterio.open(path, "w", **profile) as dataset:
        for row in range(0, size, strip):
            rows = min(strip, size - row)
            data = np.clip(_field(bands, rows, size, row, rng), 1, 65535).astype(np.uint16)
            dataset.write(data, window=Window(0, row, size, rows))


def _status_kib(key: str) -> int:
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> int:
    """Reset the peak RSS (``VmHWM``) to the current RSS and return the latter (KiB)."""
    current = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    return current


def predict_child(
    source: Path, target: Path, bands: int, width: int, *, reuse_memory: bool
) -> dict[str, float]:
    import rasterio

    from gan_engine.io.geotiff import BLOCK_SIZE, MIN_CACHE_BYTES

    predictor = _predictor(bands, width, reuse_memory=reuse_memory)
    with rasterio.open(source) as dataset:
        shape = (dataset.height, dataset.width)
    tile = predictor._tiler.plan(shape).tile_shape
    # the network alone on one batch of this scene's tiles: activation memory (a function of the
    # tile size, bounded by the configured tile, not of the scene)
    probe = np.ones((bands, *tile), dtype=np.uint16)
    predictor.predict(probe)  # warm-up: kernels, allocator
    before = _reset_peak()
    predictor.predict(probe)
    activations = _status_kib("VmHWM") - before
    baseline = _reset_peak()
    started = time.perf_counter()
    report = predictor.predict_file(source, target, overwrite=True)
    seconds = time.perf_counter() - started
    peak = _status_kib("VmHWM")
    grid = predictor._tiler.plan(report.input_shape[1:])
    row_rows = SCALE * grid.tile_shape[0]
    width = report.output_shape[2]
    # float32 band + its uint16 copy + GDAL's cache of partly written output blocks
    gdal_cache = max(MIN_CACHE_BYTES, 3 * BLOCK_SIZE * width * bands * 2)
    row_buffer = bands * row_rows * width * (4 + 2) + gdal_cache
    return {
        "size": report.input_shape[1],
        "bands": bands,
        "tiles": report.tiles,
        "seconds": seconds,
        "in_mpx_s": report.input_shape[1] * report.input_shape[2] / 1e6 / seconds,
        "tile": tile[0],
        "baseline_rss_mib": baseline / 1024,
        "peak_rss_mib": peak / 1024,
        "activations_mib": activations / 1024,
        "row_buffer_mib": row_buffer / 2**20,
    }


def _child(args: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-4000:])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2048, 8192, 16384])
    parser.add_argument("--bands", type=int, default=1)
    parser.add_argument("--width", type=int, default=4, help="SRResNet channels when streaming")
    parser.add_argument("--throughput-width", type=int, default=16)
    parser.add_argument("--throughput-size", type=int, default=2048)
    parser.add_argument("--throughput-bands", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--reuse-memory",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="PredictOptions.reuse_memory when streaming",
    )
    parser.add_argument("--make", nargs=2, metavar=("SIZE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--predict", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        make_geotiff(Path(args.make[1]), int(args.make[0]), args.bands)
        print(json.dumps({"made": args.make[1]}))
        return
    if args.predict:
        source, target = Path(args.predict[0]), Path(args.predict[1])
        figures = predict_child(
            source, target, args.bands, args.width, reuse_memory=args.reuse_memory
        )
        print(json.dumps(figures))
        return

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load {os.getloadavg()}")
    figures = throughput(
        args.throughput_size, args.throughput_bands, args.throughput_width, args.repeats
    )
    print(
        f"throughput {figures['size']}² px x{SCALE}, {figures['bands']} bands, "
        f"{figures['tiles']} tiles of {figures['tile']} px, overlap {figures['overlap']} "
        f"({100 * figures['computed']:+.1f}% pixels computed twice): "
        f"untiled {figures['untiled_mpx_s']:.2f} Mpx/s in ({figures['untiled_s']:.2f} s wall, "
        f"{figures['untiled_cpu_s']:.2f} s CPU), tiled {figures['tiled_mpx_s']:.2f} Mpx/s in "
        f"({figures['tiled_s']:.2f} s wall, {figures['tiled_cpu_s']:.2f} s CPU); overhead "
        f"{100 * figures['overhead']:+.1f}% wall, {100 * figures['cpu_overhead']:+.1f}% CPU "
        f"({'OK' if figures['cpu_overhead'] <= 0.15 else 'ABOVE'} the 15% budget)"
    )
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        for size in args.sizes:
            source, target = Path(folder) / f"scene{size}.tif", Path(folder) / f"sr{size}.tif"
            _child(["--bands", str(args.bands), "--make", str(size), str(source)])
            options = ["--bands", str(args.bands), "--width", str(args.width)]
            options.append("--reuse-memory" if args.reuse_memory else "--no-reuse-memory")
            row = _child([*options, "--predict", str(source), str(target)])
            rows.append(row)
            print(
                f"streaming {size}² px -> {SCALE * size}² px, {args.bands} band(s) uint16: "
                f"{row['tiles']} tiles in {row['seconds']:.1f} s ({row['in_mpx_s']:.2f} Mpx/s in), "
                f"peak RSS {row['peak_rss_mib']:.0f} MiB = setup {row['baseline_rss_mib']:.0f} + "
                f"{row['peak_rss_mib'] - row['baseline_rss_mib']:.0f} MiB while streaming, of which "
                f"network activations on one {row['tile']}-px tile {row['activations_mib']:.0f} MiB; "
                f"one tile row of output {row['row_buffer_mib']:.0f} MiB",
                flush=True,
            )
            source.unlink()
            target.unlink()
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        growth = large["peak_rss_mib"] - small["peak_rss_mib"]
        tiles = large["activations_mib"] - small["activations_mib"]
        allowed = large["row_buffer_mib"]
        verdict = "OK" if growth - tiles <= allowed else "ABOVE"
        print(
            f"peak RSS {large['size']}² - {small['size']}²: {growth:+.0f} MiB, of which "
            f"{tiles:+.0f} MiB from larger tiles ({small['tile']} -> {large['tile']} px; both "
            f"within the default tile edge); the rest {growth - tiles:+.0f} MiB vs one tile row of "
            f"output at {large['size']}²: {allowed:.0f} MiB -> {verdict}"
        )


if __name__ == "__main__":
    main()
