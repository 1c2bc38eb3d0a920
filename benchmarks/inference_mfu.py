"""Tiled inference of reference configuration (a) against the machine's own measured peak.

The generator of ``benchmarks/training_step.py``'s configuration ``a`` (SRResNet 64 channels,
16 blocks, x4, 4 bands; random weights: the speed is the same) super-resolves a ``--size``² 4-band
float32 raster through :class:`~gan_engine.inference.predictor.Predictor` with its defaults (tiles
of a 1024-px core plus the receptive field on each side, overlap = receptive field, centre
stitching, freed memory reused, precision and layout ``auto``: chosen from the hardware as
``gan-engine predict`` does). Reported:

- wall time of ``Predictor.predict`` (tiling, stitching and output included), best of ``--repeats``
  (every repeat is printed: with ``--compile`` the first one includes compiling for the tile shape);
- input megapixels/s;
- model FLOP utilisation: the model's FLOPs over the raster (``torch.utils.flop_counter`` on one tile,
  per LR pixel, times the raster's pixels: work recomputed in tile overlaps does not count) ÷ wall
  time ÷ peak (the FLOPs of the network as written: SRResNet's faster form of its tail is not
  credited for its extra multiply-adds), where
  peak is the best of a few large 3×3 convolutions at the run's precision, in either layout, timed
  in the same process (before and after the run).

The first line names the CPU's instruction-set class (``torch.backends.cpu.get_cpu_capability()``);
``--emulate-avx2`` re-runs the script with ``ONEDNN_MAX_CPU_ISA=AVX2`` and
``ATEN_CPU_CAPABILITY=avx2`` set before torch is imported, so an AVX-512 machine behaves like an
AVX2-only one.

    python benchmarks/inference_mfu.py                 # 2048² LR → 8192² HR
    python benchmarks/inference_mfu.py --size 1024     # quicker
    python benchmarks/inference_mfu.py --no-channels-last --precision 32
    python benchmarks/inference_mfu.py --emulate-avx2
    python benchmarks/inference_mfu.py --head-kernel-size 3   # 3x3 first and last convolutions
    python benchmarks/inference_mfu.py --tile 512 --compile   # more overlaps, fused epilogues
    python benchmarks/inference_mfu.py --no-reuse-memory      # fresh memory for every map
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

EMULATE_AVX2 = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}
if "--emulate-avx2" in sys.argv and os.environ.get("ATEN_CPU_CAPABILITY") != "avx2":
    # both variables are read when torch loads: start again with them set
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **EMULATE_AVX2})

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from training_step import as_written, conv_peak, cpu_name  # noqa: E402

BANDS, SCALE = 4, 4


def _predictor(args: argparse.Namespace) -> object:
    from gan_engine.generators.srresnet import SRResNet, SRResNetParams
    from gan_engine.inference.predictor import PredictOptions, Predictor
    from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams

    torch.manual_seed(0)
    params = SRResNetParams(n_channels=64, n_blocks=16, head_kernel_size=args.head_kernel_size)
    generator = SRResNet(2, BANDS, BANDS, SCALE, params).eval()
    normaliser = MinMaxNormaliser(BANDS, MinMaxParams(minimum=[0.0], maximum=[10000.0]))
    options = PredictOptions(
        channels_last=args.channels_last,
        tile=args.tile,
        compile=args.compile,
        reuse_memory=args.reuse_memory,
        precision=args.precision,
    )
    return Predictor(generator, normaliser, options=options)


def _flops(predictor: object, size: int) -> tuple[float, float, int]:
    """The model's FLOPs over the raster, those the tiles compute (overlaps too), and the tiles."""
    grid = predictor._tiler.plan((size, size))  # type: ignore[attr-defined]
    counter = FlopCounterMode(display=False)
    with counter, as_written(), torch.inference_mode():
        predictor.model(torch.zeros(1, BANDS, *grid.tile_shape))  # type: ignore[attr-defined]
    per_tile = counter.get_total_flops()
    per_pixel = per_tile / (grid.tile_shape[0] * grid.tile_shape[1])
    return per_pixel * size * size, per_tile * len(grid), len(grid)


def grid_edge(predictor: object, size: int) -> int:
    """The tile edge the planner picks for a ``size``² raster."""
    return int(predictor._tiler.plan((size, size)).tile_shape[0])  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--size", type=int, default=2048, help="LR raster edge in pixels")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default="auto")
    parser.add_argument("--precision", default="auto", help="auto, 32, bf16-mixed")
    parser.add_argument(
        "--emulate-avx2", action="store_true", help="run as an AVX2-only CPU (see above)"
    )
    parser.add_argument("--head-kernel-size", type=int, default=9, help="SRResNet head/tail kernel")
    parser.add_argument("--tile", type=int, help="tile edge in LR pixels (default: Predictor's)")
    parser.add_argument("--compile", action="store_true", help="PredictOptions.compile")
    parser.add_argument(
        "--reuse-memory",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="PredictOptions.reuse_memory",
    )
    args = parser.parse_args()

    device = torch.device("cpu")
    predictor = _predictor(args)
    rng = np.random.default_rng(0)
    raster = rng.uniform(0, 10000, (BANDS, args.size, args.size)).astype(np.float32)
    flops, computed, tiles = _flops(predictor, args.size)
    resolved = predictor.options  # type: ignore[attr-defined]
    before = conv_peak(resolved.precision, device)
    predictor.predict(raster[:, :256, :256])  # warm-up
    walls = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        predictor.predict(raster)
        walls.append(time.perf_counter() - started)
    best = min(walls)
    peak, peak_name = max(before, conv_peak(resolved.precision, device))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    isa = torch.backends.cpu.get_cpu_capability()
    cap = os.environ.get("ONEDNN_MAX_CPU_ISA")
    print(
        f"device: {cpu_name()} ({isa}{f', oneDNN capped at {cap}' if cap else ''}), "
        f"{torch.get_num_threads()} threads; peak op: {peak_name}"
    )
    print(
        f"LR {args.size}² x{SCALE}, {BANDS} bands, head/tail kernel {args.head_kernel_size}, "
        f"{tiles} tiles of {grid_edge(predictor, args.size)} px ({computed / flops - 1:.1%} "
        f"recomputed in overlaps), precision {resolved.precision} (asked {args.precision}), "
        f"channels-last {'on' if resolved.channels_last else 'off'} (asked {args.channels_last}), "
        f"compile {'on' if args.compile else 'off'}, "
        f"reuse memory {'on' if args.reuse_memory else 'off'}"
    )
    print(f"walls {', '.join(f'{wall:.1f}' for wall in walls)} s (the first compiles, if on)")
    print(
        f"wall {best:.1f} s, {args.size**2 / 1e6 / best:.3f} Mpx/s, {flops / 1e12:.2f} TFLOP, "
        f"{flops / best / 1e12:.3f} TFLOP/s of {peak / 1e12:.3f} peak: MFU {flops / best / peak:.1%}"
        f" (on computed FLOPs {computed / best / peak:.1%}); peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
