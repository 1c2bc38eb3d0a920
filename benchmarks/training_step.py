"""Training-step speed of reference configurations, against the machine's own measured peak.

For each configuration × precision × memory format × compilation, one fresh process builds the run
exactly as ``gan-engine train`` does — spec validated by the loader, components, ``GANModule`` and
``Trainer`` from :class:`containers.application.ApplicationContainer` — with only the data selector
overridden by random in-memory tensors of the configuration's shapes (no disk reads in the timing).
It then trains and reports:

- step time: wall time per training batch (generator + discriminator update, data loading, logging),
  median over the timed batches after the warm-up ones (compilation happens in the warm-up);
- images/s: batch size ÷ step time;
- peak RSS of the process (``ru_maxrss``);
- model FLOP utilisation (MFU): FLOPs of one step counted by ``torch.utils.flop_counter`` (forward and
  backward of every convolution and matmul: generator, discriminator, perceptual network) ÷ step time
  ÷ peak, where peak is the best of a few large 2D 3×3 convolutions timed in the same process at the
  same precision, in channels-last and in NCHW (the better layout differs between CPU classes),
  forward only, before and after the training (the better of the two: a busy moment cannot lower
  the bar).

``--precisions auto`` and ``--channels-last auto`` resolve as ``gan-engine train`` does
(:mod:`gan_engine.hardware`); the table shows what they resolved to. Every row prints the CPU's
instruction-set class (``torch.backends.cpu.get_cpu_capability()``) and any oneDNN cap.
``--emulate-avx2`` runs the workers with ``ONEDNN_MAX_CPU_ISA=AVX2`` and ``ATEN_CPU_CAPABILITY=avx2``,
so an AVX-512 machine behaves like an AVX2-only one (set before torch is imported in the worker).

Reference configurations (issue 8):

- ``a``: SRResNet 64 channels, 16 blocks, x4, 4 bands, batch 4, LR 32²; SRGAN discriminator;
  L1 + SAM + VGG19 perceptual (up to conv5_4, random weights: same cost) + BCE.
- ``b``: RRDBNet 23 blocks (64 channels, growth 32), x4, RGB, batch 4, LR 32²; U-Net discriminator;
  L1 + VGG19 perceptual + relativistic adversarial.
- ``c``: 3D SRResNet 64 channels, 16 blocks, x2, 1 channel, batch 2, LR 16³; 3D PatchGAN (2 layers);
  L1 + BCE.

    python benchmarks/training_step.py                         # every config and variant
    python benchmarks/training_step.py --configs a --precisions bf16-mixed --compile off
    python benchmarks/training_step.py --configs a --steps 20 --json out.json
    python benchmarks/training_step.py --configs a --precisions auto --channels-last auto --compile off
    python benchmarks/training_step.py --configs a --precisions 32 --emulate-avx2
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from unittest import mock

import lightning.pytorch as pl
import torch

REPO = Path(__file__).resolve().parents[1]

CONFIGS: dict[str, dict[str, Any]] = {
    "a": {
        "title": "SRResNet 64ch/16 blocks x4, 4 bands, SRGAN D, L1+SAM+VGG+BCE",
        "dims": 2,
        "channels": 4,
        "scale": 4,
        "batch": 4,
        "lr_size": 32,
        "spec": """
Data: {dataset: sample_multispectral, params: {patch_size: 128, val_patch_size: 128},
       dimensions: 2d, channels: 4, scale: 4, batch_size: 4, val_batch_size: 4}
Normalisation: {name: minmax, params: {minimum: [0.0], maximum: [10000.0]}}
Generator: {name: srresnet, params: {n_channels: 64, n_blocks: 16}}
Discriminator: {name: srgan}
Losses:
  - {name: l1, weight: 1.0}
  - {name: sam, weight: 0.1, params: {offset: 1.0}}
  - {name: vgg, weight: 0.006, params: {pretrained: false, channels: [2, 1, 0]}}
  - {name: bce, weight: 0.001}
""",
    },
    "b": {
        "title": "RRDBNet 23 blocks x4, RGB, U-Net D, L1+VGG+relativistic",
        "dims": 2,
        "channels": 3,
        "scale": 4,
        "batch": 4,
        "lr_size": 32,
        "spec": """
Data: {dataset: sample_photos, params: {patch_size: 128, val_patch_size: 128},
       dimensions: 2d, channels: 3, scale: 4, batch_size: 4, val_batch_size: 4}
Normalisation: {name: fixed_scale}
Generator: {name: rrdbnet, params: {num_feat: 64, num_block: 23, num_grow_ch: 32}}
Discriminator: {name: unet}
Losses:
  - {name: l1, weight: 0.01}
  - {name: vgg, weight: 1.0, params: {pretrained: false}}
  - {name: relativistic, weight: 0.005}
""",
    },
    "c": {
        "title": "3D SRResNet 64ch/16 blocks x2, 1 channel, LR 16³, 3D PatchGAN, L1+BCE",
        "dims": 3,
        "channels": 1,
        "scale": 2,
        "batch": 2,
        "lr_size": 16,
        "spec": """
Data: {dataset: sample_mri, params: {patch_size: 32, patch_depth: 32, val_patch_size: 32,
       val_patch_depth: 32}, dimensions: 3d, channels: 1, scale: 2, batch_size: 2,
       val_batch_size: 2}
Normalisation: {name: minmax, params: {minimum: [0.0], maximum: [1.0]}}
Generator: {name: srresnet, params: {n_channels: 64, n_blocks: 16}}
Discriminator: {name: patchgan, params: {base_channels: 32, n_layers: 2}}
Losses:
  - {name: l1, weight: 1.0}
  - {name: bce, weight: 0.001}
""",
    },
}


EMULATE_AVX2 = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}
"""Environment that makes an AVX-512 machine's torch and oneDNN use AVX2 kernels only."""


def _spec_text(
    config: dict[str, Any], precision: str, channels_last: bool | str, compile_: bool
) -> str:
    """The configuration's spec with the variant's Training section and a quiet Trainer."""
    layout = channels_last if isinstance(channels_last, str) else str(channels_last).lower()
    return config["spec"] + (
        f"Training: {{precision: '{precision}', channels_last: {layout},"
        f" compile: {str(compile_).lower()}, pretrain_steps: 0}}\n"
        "Callbacks: {checkpoint: {save_top_k: 0, save_last: false}}\n"
        "Logging: {logger: csv, name: bench}\n"
        "Trainer: {accelerator: auto, devices: 1, limit_val_batches: 0, num_sanity_val_steps: 0,"
        " enable_progress_bar: false, enable_model_summary: false, log_every_n_steps: 50}\n"
    )


class _RandomPairs(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    """``count`` random LR/HR pairs in the normaliser's units, made once (no disk in the timing)."""

    def __init__(self, config: dict[str, Any], count: int) -> None:
        dims, size, scale = config["dims"], config["lr_size"], config["scale"]
        generator = torch.Generator().manual_seed(0)
        hr_shape = (config["channels"], *([size * scale] * dims))
        self.hr = [torch.rand(hr_shape, generator=generator) for _ in range(min(count, 8))]
        pool = torch.nn.functional.avg_pool2d if dims == 2 else torch.nn.functional.avg_pool3d
        self.lr = [pool(hr[None], scale)[0] for hr in self.hr]
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {"lr": self.lr[index % len(self.lr)], "hr": self.hr[index % len(self.hr)]}


class _RandomSelector:
    """A :class:`~gan_engine.protocols.DatasetSelector` over :class:`_RandomPairs`."""

    def __init__(self, config: dict[str, Any], count: int) -> None:
        self.spatial_dims = config["dims"]
        self.channels = config["channels"]
        self.scale = config["scale"]
        self.data_range = 1.0
        self._config = config
        self._count = count

    def train_dataset(self) -> _RandomPairs:
        return _RandomPairs(self._config, self._count)

    def val_dataset(self) -> _RandomPairs:
        return _RandomPairs(self._config, self._config["batch"])


class _StepTimer(pl.Callback):
    """Wall-clock start of every training batch, and the end of training (device-synchronised)."""

    def __init__(self) -> None:
        self.starts: list[float] = []

    def _mark(self) -> None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self.starts.append(time.perf_counter())

    def on_train_batch_start(self, *_: Any) -> None:
        self._mark()

    def on_train_end(self, *_: Any) -> None:
        self._mark()


def _build(config: dict[str, Any], variant: dict[str, Any], batches: int, root: Path) -> Any:
    """The Trainer and module that ``gan-engine train`` would build, over random data."""
    from dependency_injector import providers

    from containers.application import ApplicationContainer
    from containers.spec.loader import load_spec_text

    text = _spec_text(config, variant["precision"], variant["channels_last"], variant["compile"])
    overrides = [
        f"Logging.run_root={root}",
        "Trainer.max_epochs=1",
        f"Trainer.limit_train_batches={batches}",
    ]
    spec = load_spec_text(text, f"<benchmark config {variant['config']}>", overrides)
    app = ApplicationContainer(spec=spec, run_dir=root / "run")
    app.data.selector.override(providers.Object(_RandomSelector(config, batches * config["batch"])))
    module = app.training.module()
    trainer = app.training.trainer()
    timer = _StepTimer()
    trainer.callbacks.append(timer)
    return trainer, module, app.data.datamodule(), timer


def as_written() -> contextlib.AbstractContextManager[object]:
    """Count the networks' FLOPs as written: SRResNet's large tail at the output resolution.

    The generators run a 9×9 tail to few bands in an equivalent form before the last pixel shuffle
    (``gan_engine.nn.shuffled_conv``): faster, but 1.23× the multiply-adds. MFU counts the
    network's own FLOPs, so that extra work earns nothing.
    """
    return mock.patch("gan_engine.nn.reconstruction.shuffled_conv_pays", return_value=False)


def _count_flops(config: dict[str, Any], variant: dict[str, Any], root: Path) -> int:
    """FLOPs of one training step (eager, fp32: the count does not depend on those)."""
    from torch.utils.flop_counter import FlopCounterMode

    eager = {**variant, "compile": False, "precision": "32"}
    trainer, module, datamodule, _ = _build(config, eager, 1, root / "flops")
    counter = FlopCounterMode(display=False)
    with counter, as_written():
        trainer.fit(module, datamodule=datamodule)
    return int(counter.get_total_flops())


def conv_peak(precision: str, device: torch.device, dims: int = 2) -> tuple[float, str]:
    """Best FLOP/s of a few large 3x3 convolutions (forward) at ``precision``, either layout."""
    shapes = [(64, 8, 128), (128, 4, 128), (256, 4, 64)] if dims == 2 else [(64, 2, 32)]
    best, best_name = 0.0, ""
    autocast = (
        torch.autocast(device.type, dtype=torch.bfloat16)
        if precision == "bf16-mixed"
        else torch.autocast(device.type, dtype=torch.float16)
        if precision == "16-mixed"
        else nullcontext()
    )
    last = torch.channels_last if dims == 2 else torch.channels_last_3d
    for (channels, batch, size), fmt in (
        (shape, fmt) for shape in shapes for fmt in (last, torch.contiguous_format)
    ):
        conv = (torch.nn.Conv2d if dims == 2 else torch.nn.Conv3d)(channels, channels, 3, padding=1)
        conv = conv.to(device).to(memory_format=fmt)
        x = torch.randn(batch, channels, *([size] * dims), device=device).to(memory_format=fmt)
        flops = 2 * batch * channels * channels * 3**dims * size**dims
        with torch.no_grad(), autocast:
            for _ in range(3):
                conv(x)
            times = []
            for _ in range(7):
                if device.type == "cuda":
                    torch.cuda.synchronize()
                start = time.perf_counter()
                conv(x)
                if device.type == "cuda":
                    torch.cuda.synchronize()
                times.append(time.perf_counter() - start)
        rate = flops / min(times)
        if rate > best:
            best, best_name = (
                rate,
                f"conv{dims}d 3x3 {channels}->{channels} on {batch}x{size}^{dims}"
                f" {'channels-last' if fmt == last else 'NCHW'}",
            )
    return best, best_name


def _worker(variant: dict[str, Any]) -> dict[str, Any]:
    config = CONFIGS[variant["config"]]
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        flops = _count_flops(config, variant, root)
        batches = variant["warmup"] + variant["steps"]
        trainer, module, datamodule, timer = _build(config, variant, batches, root / "timed")
        precision, channels_last = module.config.precision, module.config.channels_last
        before = conv_peak(precision, device)
        trainer.fit(module, datamodule=datamodule)
        # Timed before and after training, best kept: a busy moment cannot lower the bar.
        peak, peak_name = max(before, conv_peak(precision, device))
    intervals = [b - a for a, b in zip(timer.starts, timer.starts[1:], strict=False)]
    timed = intervals[variant["warmup"] :]
    step = statistics.median(timed)
    return {
        **variant,
        "asked": f"{variant['precision']}/{variant['channels_last']}",
        "precision": precision,
        "channels_last": channels_last,
        "isa": torch.backends.cpu.get_cpu_capability(),
        "onednn_cap": os.environ.get("ONEDNN_MAX_CPU_ISA", ""),
        "title": config["title"],
        "device": torch.cuda.get_device_name() if device.type == "cuda" else cpu_name(),
        "threads": torch.get_num_threads(),
        "step_s": step,
        "step_min_s": min(timed),
        "images_per_s": config["batch"] / step,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "flops_per_step": flops,
        "achieved_tflops": flops / step / 1e12,
        "peak_tflops": peak / 1e12,
        "peak_op": peak_name,
        "mfu": flops / step / peak,
        "generator_steps": module.generator_steps,
    }


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "cpu"


def _variants(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    for config in args.configs:
        for precision in args.precisions:
            for channels_last in args.channels_last:
                for compile_ in args.compile:
                    yield {
                        "config": config,
                        "precision": precision,
                        "channels_last": {"on": True, "off": False}.get(channels_last, "auto"),
                        "compile": compile_ == "on",
                        "warmup": args.warmup,
                        "steps": args.steps,
                    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument(
        "--precisions", nargs="+", default=["32", "bf16-mixed"], help="32, bf16-mixed, auto, …"
    )
    parser.add_argument(
        "--channels-last", nargs="+", default=["on", "off"], choices=["on", "off", "auto"]
    )
    parser.add_argument(
        "--emulate-avx2",
        action="store_true",
        help="run the workers as an AVX2-only CPU (ONEDNN_MAX_CPU_ISA=AVX2, ATEN_CPU_CAPABILITY=avx2)",
    )
    parser.add_argument("--compile", nargs="+", default=["off", "on"], choices=["on", "off"])
    parser.add_argument("--steps", type=int, default=8, help="timed training batches")
    parser.add_argument("--warmup", type=int, default=3, help="untimed first batches (compilation)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(json.loads(args.worker))))
        return
    results = []
    env = {**os.environ, **(EMULATE_AVX2 if args.emulate_avx2 else {})}
    header = (
        f"{'cfg':3} {'asked':16} {'precision':10} {'ch-last':7} {'compile':7} {'step ms':>8}"
        f" {'img/s':>6}"
        f" {'RSS MiB':>8} {'GFLOP/step':>10} {'TFLOP/s':>8} {'peak':>6} {'MFU':>6}"
    )
    print(header)
    for variant in _variants(args):
        done = subprocess.run(
            [sys.executable, __file__, "--worker", json.dumps(variant)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        if done.returncode != 0:
            print(f"{variant}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{result['config']:3} {result['asked']:16} {result['precision']:10}"
            f" {'on' if result['channels_last'] else 'off':7}"
            f" {'on' if result['compile'] else 'off':7} {result['step_s'] * 1e3:8.0f}"
            f" {result['images_per_s']:6.2f} {result['peak_rss_mib']:8.0f}"
            f" {result['flops_per_step'] / 1e9:10.1f} {result['achieved_tflops']:8.3f}"
            f" {result['peak_tflops']:6.3f} {result['mfu']:6.1%}",
            flush=True,
        )
    if results:
        first = results[0]
        cap = f", oneDNN capped at {first['onednn_cap']}" if first["onednn_cap"] else ""
        print(
            f"\ndevice: {first['device']} ({first['isa']}{cap}), {first['threads']} threads; "
            f"peak op: {first['peak_op']}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
