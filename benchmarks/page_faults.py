"""What a fresh large CPU allocation costs, and what :func:`reused_heap` saves on it.

glibc maps every block above 32 MiB afresh, so a new feature map is faulted in and zeroed page by
page while it is first written. Printed, best of ``--repeats`` each, for a ``[1, 64, --size,
--size]`` float32 map (a 64-channel SRResNet feature map of one tile; 290 MB at the default 1064):

- allocating and filling a fresh map, outside and inside ``reused_heap`` (after a warm-up round),
  against filling an existing one;
- a 3×3 64→64 channels-last convolution writing its (fresh) output, outside and inside.

    python benchmarks/page_faults.py
    python benchmarks/page_faults.py --size 512
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch

from gan_engine.inference.heap import reused_heap


def best(run: Callable[[], object], repeats: int) -> float:
    """Best wall time of ``repeats`` calls, after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1064, help="map edge in pixels")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    shape = (1, 64, args.size, args.size)
    mib = 4 * 64 * args.size**2 / 2**20

    def fresh() -> torch.Tensor:
        return torch.empty(shape).fill_(1.0)

    existing = torch.empty(shape)
    conv = torch.nn.Conv2d(64, 64, 3, padding=1).to(memory_format=torch.channels_last)
    x = torch.rand(shape).contiguous(memory_format=torch.channels_last)

    def convolve() -> torch.Tensor:
        return conv(x)

    with torch.inference_mode():
        fill_existing = best(lambda: existing.fill_(1.0), args.repeats)
        fill_fresh = best(fresh, args.repeats)
        conv_fresh = best(convolve, args.repeats)
        with reused_heap():
            fill_reused = best(fresh, args.repeats)
            conv_reused = best(convolve, args.repeats)
    print(f"{torch.get_num_threads()} threads, map {shape} float32 = {mib:.0f} MiB")
    print(
        f"fill an existing map {1e3 * fill_existing:.0f} ms; allocate + fill: fresh "
        f"{1e3 * fill_fresh:.0f} ms, in reused_heap {1e3 * fill_reused:.0f} ms"
    )
    print(
        f"3x3 64->64 conv: fresh output {1e3 * conv_fresh:.0f} ms, in reused_heap "
        f"{1e3 * conv_reused:.0f} ms ({conv_fresh / conv_reused - 1:+.1%} time without reuse)"
    )


if __name__ == "__main__":
    main()
