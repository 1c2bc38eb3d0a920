"""Peak memory of prediction with the budget-chosen default tile: RRDBNet (2D) and SRResNet (3D).

For each model and budget (``default``: half the available RAM; or a size such as ``1GiB``) a fresh
Python process builds the model with random weights, lets :class:`Predictor` choose the tile from
the budget (the line it prints says which tile, the measured activation bytes and the budget), then
super-resolves one random input and reports its peak RSS (``VmHWM``, reset after a warm-up on a
16-px crop) above the RSS before predicting (model, imports and libraries loaded), next to the
meta-device probe's figure for the tile actually run (the tile clipped to the input).

``--probe-only`` skips the prediction: the tile and the predicted peak are printed for sizes whose
compute would take too long on a small CPU (ESRGAN's 23 RRDBs at its default tile is ~100 TFLOP).

    python benchmarks/rrdbnet_inference.py [--models rrdbnet srresnet3d] [--budgets default 1GiB]
        [--size-2d 256] [--size-3d 32] [--num-block 23] [--n-blocks-3d 16] [--probe-only]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

MODELS = ("rrdbnet", "srresnet3d")


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    msg = f"/proc/self/status has no {field}"
    raise RuntimeError(msg)


def child(args: argparse.Namespace) -> None:
    """Build, choose the tile, predict once; print one JSON line."""
    import numpy as np
    import torch

    from gan_engine.generators.rrdbnet import RRDBNet, RRDBNetParams
    from gan_engine.generators.srresnet import SRResNet, SRResNetParams
    from gan_engine.inference.budget import parse_memory
    from gan_engine.inference.predictor import PredictOptions, Predictor
    from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams

    torch.manual_seed(0)
    model: torch.nn.Module
    if args.child == "rrdbnet":
        model = RRDBNet(2, 3, 3, 4, RRDBNetParams(num_block=args.num_block))
        shape: tuple[int, ...] = (3, args.size_2d, args.size_2d)
    else:
        model = SRResNet(3, 1, 1, 2, SRResNetParams(n_blocks=args.n_blocks_3d))
        shape = (1, args.size_3d, args.size_3d, args.size_3d)
    channels = shape[0]
    normaliser = MinMaxNormaliser(
        channels, MinMaxParams(minimum=[0.0] * channels, maximum=[1.0] * channels)
    )
    budget = None if args.budget == "default" else parse_memory(args.budget)
    started = time.perf_counter()
    predictor = Predictor(model, normaliser, options=PredictOptions(max_memory=budget))  # type: ignore[arg-type]
    probe_seconds = time.perf_counter() - started
    choice = predictor.tile_choice
    assert choice is not None
    record: dict[str, object] = {
        "model": args.child,
        "budget": args.budget,
        "input": list(shape),
        "tile": choice.tile,
        "overlap": choice.overlap,
        "reason": choice.reason,
        "probe_s": round(probe_seconds, 1),
        "predicted_tile_mib": round((choice.peak or 0) / 2**20),
    }
    if not args.probe_only:
        lr = np.random.default_rng(0).random(shape, dtype=np.float32)
        # the probe's figure for the tile actually run (clipped to the input)
        from gan_engine.inference.grid import plan_grid
        from gan_engine.inference.tile_memory import forward_peak_bytes

        run_tile = [min(choice.tile, size) for size in shape[1:]]
        expected = forward_peak_bytes(predictor.model, (1, channels, *run_tile))
        # warm up on a small input: libraries' code and thread pools are not the tile's memory
        predictor.predict(lr[(slice(None), *(slice(0, 16),) * (lr.ndim - 1))])
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        before = _status_kib("VmRSS")
        started = time.perf_counter()
        predictor.predict(lr)
        record |= {
            "seconds": round(time.perf_counter() - started, 1),
            "tiles": len(plan_grid(shape[1:], predictor.tiling.tile, predictor.tiling.overlap)),
            "predicted_run_mib": round(expected / 2**20),
            "rss_before_mib": round(before / 1024),
            "extra_peak_rss_mib": round((_status_kib("VmHWM") - before) / 1024),
        }
    print(json.dumps(record), flush=True)


def main() -> None:
    """Run every model and budget in its own process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--budgets", nargs="+", default=["default", "1GiB"])
    parser.add_argument("--size-2d", type=int, default=256, help="LR edge of the RGB input")
    parser.add_argument("--size-3d", type=int, default=32, help="LR edge of the volume")
    parser.add_argument("--num-block", type=int, default=23, help="RRDBs (ESRGAN: 23)")
    parser.add_argument("--n-blocks-3d", type=int, default=16, help="SRResNet blocks (16)")
    parser.add_argument("--probe-only", action="store_true", help="choose tiles, do not predict")
    parser.add_argument("--child", choices=MODELS, help=argparse.SUPPRESS)
    parser.add_argument("--budget", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    shared = [
        f"--size-2d={args.size_2d}",
        f"--size-3d={args.size_3d}",
        f"--num-block={args.num_block}",
        f"--n-blocks-3d={args.n_blocks_3d}",
        *(["--probe-only"] if args.probe_only else []),
    ]
    for name in args.models:
        for budget in args.budgets:
            command = [sys.executable, __file__, "--child", name, "--budget", budget, *shared]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                print(f"{name} {budget}: failed\n{result.stderr[-2000:]}", file=sys.stderr)
                continue
            print(result.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
