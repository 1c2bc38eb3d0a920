"""Peak memory of streaming tiles from GeoTIFF scenes of growing size: it should stay flat.

Writes synthetic 4-band uint16 GeoTIFFs (tiled, deflate; written strip by strip, so writing does not
need the scene in memory either) of 2048², 4096² and 8192² pixels to a temporary folder. For each
scene a fresh Python process builds a ``RasterTileDataset`` (256-px HR tiles, x2, bicubic
degradation) and reads every tile on one thread, as a DataLoader worker does. Each child reports its
peak RSS before iterating (imports and dataset) and after reading all tiles, so the numbers are per
scene, not the parent's history.

    python benchmarks/tiling_memory.py [--sizes 2048 4096 8192] [--tile 256]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BANDS = 4
STRIP = 512


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_scene(path: Path, size: int) -> None:
    """A ``size``² 4-band uint16 GeoTIFF, written strip by strip."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": BANDS,
        "dtype": "uint16",
        "crs": "EPSG:32633",
        "transform": from_origin(300000.0, 5100000.0, 10.0, 10.0),
        "nodata": 0,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
    }
    cols = np.arange(size, dtype=np.int64)[None, :]
    with rasterio.open(path, "w", **profile) as target:
        for top in range(0, size, STRIP):
            rows = np.arange(top, min(top + STRIP, size), dtype=np.int64)[:, None]
            bands = [((rows * (b + 3) + cols * (b + 7)) % 9999 + 1) for b in range(BANDS)]
            strip = np.stack(bands).astype(np.uint16)
            target.write(strip, window=Window(0, top, size, strip.shape[1]))


def measure(path: Path, tile: int) -> dict[str, float]:
    """Child side: build the tiling dataset over ``path``, read every tile, report memory."""
    import torch

    from gan_engine.data.rasters.files import probe_raster
    from gan_engine.data.rasters.samples import WindowReader
    from gan_engine.data.rasters.scenes import Scene
    from gan_engine.data.rasters.tiling import RasterTileDataset

    torch.set_num_threads(1)  # as in a DataLoader worker
    dataset = RasterTileDataset([Scene(hr=probe_raster(path))], WindowReader(scale=2), tile)
    dataset[0]  # first read: GDAL and torch kernels warm up
    before = peak_rss_mb()
    start = time.perf_counter()
    checksum = 0.0
    for index in range(len(dataset)):
        checksum += float(dataset[index]["lr"][0, 0, 0])
    seconds = time.perf_counter() - start
    return {
        "tiles": len(dataset),
        "seconds": seconds,
        "rss_before_mb": before,
        "rss_peak_mb": peak_rss_mb(),
        "checksum": checksum,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2048, 4096, 8192])
    parser.add_argument("--tile", type=int, default=256)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.tile)))
        return 0
    print(f"tiling dataset, {args.tile}-px HR tiles, x2 bicubic, {BANDS}-band uint16 GeoTIFF")
    print(
        f"{'scene':>12} {'in memory':>10} {'tiles':>6} {'s':>7} {'RSS before':>11} {'RSS peak':>9}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"scene_{size}.tif"
            write_scene(path, size)
            child = subprocess.run(
                [sys.executable, __file__, "--measure", str(path), "--tile", str(args.tile)],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            whole = size * size * BANDS * 2 / 2**20
            print(
                f"{size:>5}x{size:<6} {whole:>7.0f} MiB {result['tiles']:>6} "
                f"{result['seconds']:>7.1f} {result['rss_before_mb']:>7.0f} MiB "
                f"{result['rss_peak_mb']:>5.0f} MiB"
            )
            path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
