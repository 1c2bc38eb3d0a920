"""Degradation throughput on CPU for the quickstart's batch, and its share of a training step.

The pipeline runs in the training process after the batch reached its device (not in loader workers),
so its time adds to every step. This measures, for the quickstart's training batch (8 RGB crops of
64×64 HR, x4):

- pairs/s of each pipeline: ``realesrgan`` (Real-ESRGAN's second-order preset with the sharpened
  target and a pool of 32, as ``specs/realworld_rgb_x4.yaml``), ``simple`` (blur, resize to LR,
  Gaussian noise, per-band JPEG, quantise);
- the time of one quickstart training step (SRResNet 32ch/4 blocks and the SRGAN discriminator from
  ``specs/quickstart.yaml``; generator L1 + BCE forward/backward/step, discriminator BCE
  forward/backward/step; float32, NCHW) and the pipeline's share of step + pipeline.

Medians over ``--repeats`` timed runs after ``--warmup`` untimed ones, in one process.

    python benchmarks/degradation_throughput.py
    python benchmarks/degradation_throughput.py --threads 1 --repeats 20
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F

from containers.application import ApplicationContainer
from containers.degradation_builders import build_degradation
from containers.spec.loader import load_spec

REPO = Path(__file__).resolve().parents[1]
SIMPLE = (
    "Data.params.degradation=["
    "{name: blur, params: {kernel_size: [7, 21]}},"
    "{name: resize_target},"
    "{name: gaussian_noise},"
    "{name: jpeg, params: {codec: dct}},"
    "{name: quantise}]"
)


def _median_seconds(run: Callable[[], object], warmup: int, repeats: int) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def pipeline_seconds(spec_name: str, overrides: list[str], warmup: int, repeats: int) -> float:
    """Median seconds of one quickstart-sized batch through the spec's degradation pipeline."""
    spec = load_spec(REPO / "specs" / spec_name, overrides)
    app = ApplicationContainer(spec=spec, run_dir=Path("unused"))
    pipeline = build_degradation(spec, app.data.selector())
    if pipeline is None:
        msg = f"{spec_name} has no degradation stages"
        raise SystemExit(msg)
    hr = torch.rand(8, 3, 64, 64) * 255
    counter = iter(range(10**9))

    def run() -> object:
        step = next(counter)
        return pipeline(hr, torch.arange(8) + 8 * step, training=True)

    return _median_seconds(run, warmup, repeats)


def step_seconds(warmup: int, repeats: int) -> float:
    """Median seconds of one quickstart training step (see the module docstring)."""
    spec = load_spec(REPO / "specs" / "quickstart.yaml")
    app = ApplicationContainer(spec=spec, run_dir=Path("unused"))
    generator = app.components.generator()
    discriminator = app.components.discriminator()
    g_opt = torch.optim.Adam(generator.parameters(), lr=1e-4)
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=1e-4)
    lr, hr = torch.rand(8, 3, 16, 16) * 2 - 1, torch.rand(8, 3, 64, 64) * 2 - 1

    def run() -> object:
        sr = generator(lr)
        fake = discriminator(sr)
        loss = F.l1_loss(sr, hr) + 1e-3 * F.binary_cross_entropy_with_logits(
            fake, torch.ones_like(fake)
        )
        g_opt.zero_grad()
        loss.backward()
        g_opt.step()
        real, fake = discriminator(hr), discriminator(sr.detach())
        d_loss = F.binary_cross_entropy_with_logits(
            real, torch.ones_like(real)
        ) + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        return d_loss

    return _median_seconds(run, warmup, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"CPU: {_cpu_name()} (ATen capability {torch.backends.cpu.get_cpu_capability()}), "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}")  # fmt: skip
    step = step_seconds(args.warmup, args.repeats)
    print(f"quickstart training step (batch 8, fp32 NCHW): {step * 1000:.1f} ms")
    runs = {
        "realesrgan": ("realworld_rgb_x4.yaml", ["Data.params.patch_size=64"]),
        "simple": ("quickstart.yaml", [SIMPLE]),
    }
    for name, (spec_name, overrides) in runs.items():
        seconds = pipeline_seconds(spec_name, overrides, args.warmup, args.repeats)
        share = seconds / (seconds + step)
        print(f"{name:>10}: {seconds * 1000:7.1f} ms/batch, {8 / seconds:7.1f} pairs/s, "
              f"{100 * share:5.1f} % of step + pipeline")  # fmt: skip


if __name__ == "__main__":
    main()
