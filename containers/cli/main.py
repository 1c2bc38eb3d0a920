"""``gan-engine``: train, check and list components from the command line.

User mistakes (an invalid spec, missing data, missing weights) print one clear message per problem to
stderr and exit with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from containers.cli.describe import describe_components
from containers.spec.loader import load_spec
from containers.spec.problems import SpecError
from gan_engine.errors import GanEngineError
from gan_engine.hardware.precision import PrecisionSetting, normalise_precision
from gan_engine.inference.budget import parse_memory
from gan_engine.registry import REGISTRIES

EXIT_USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gan-engine",
        description="GAN super-resolution for any imaging domain, driven by YAML specs.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_spec_arguments(command: argparse.ArgumentParser) -> None:
        command.add_argument("spec", type=Path, help="the run spec (YAML)")
        command.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="KEY.PATH=VALUE",
            help="override a spec value (YAML syntax), e.g. --set Training.pretrain_steps=100",
        )

    train = commands.add_parser("train", help="train a model from a spec")
    add_spec_arguments(train)
    train.add_argument(
        "--run-dir", type=Path, default=None, help="write the run here instead of a new folder"
    )
    train.add_argument(
        "--resume",
        default=None,
        metavar="last|PATH",
        help="continue from a checkpoint (optimisers, schedules, EMA, counters, RNG states) in its "
        "run directory; 'last' picks the newest <run_root>/<name>/*/checkpoints/last.ckpt, or with "
        "--run-dir DIR the latest checkpoint in DIR/checkpoints/",
    )
    train.add_argument(
        "--no-probe",
        action="store_true",
        help="never time the layouts to resolve Training.channels_last: auto (same as "
        "--set Training.hardware_probe=false); the instruction set's default is used",
    )
    check = commands.add_parser("check", help="validate a spec; exit 0 when valid, 2 otherwise")
    add_spec_arguments(check)
    components = commands.add_parser("components", help="list registered components")
    components.add_argument("kind", nargs="?", choices=sorted(REGISTRIES), help="only this kind")
    _add_predict_parser(commands)
    _add_export_parser(commands)
    _add_docs_parser(commands)
    _add_degrade_parser(commands, add_spec_arguments)
    _add_convert_parser(commands)
    return parser


def _add_degrade_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_spec_arguments: Callable[[argparse.ArgumentParser], None],
) -> None:
    degrade = commands.add_parser(
        "degrade", help="write example LR/HR training pairs of a spec and a PNG grid of them"
    )
    add_spec_arguments(degrade)
    degrade.add_argument("--out", type=Path, required=True, help="the folder to write into")
    degrade.add_argument("--n", type=int, default=8, help="how many pairs (default 8)")


def _add_convert_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    convert = commands.add_parser(
        "convert", help="convert another tool's config (and checkpoint) to a spec (and checkpoint)"
    )
    tools = convert.add_subparsers(dest="tool", required=True, metavar="TOOL")
    opensr = tools.add_parser("opensr", help="an opensr-srgan config (and Lightning checkpoint)")
    opensr.add_argument("config", type=Path, help="the opensr-srgan YAML config")
    opensr.add_argument(
        "checkpoint", type=Path, nargs="?", default=None, help="its checkpoint (.ckpt), optional"
    )
    opensr.add_argument(
        "--out", type=Path, required=True, help="folder for spec.yaml (and model.ckpt)"
    )


def _precision(value: str) -> PrecisionSetting:
    try:
        return normalise_precision(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _memory(value: str) -> int:
    try:
        return parse_memory(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _devices(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _add_predict_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    predict = commands.add_parser(
        "predict", help="super-resolve images, rasters, volumes and videos with a checkpoint"
    )
    predict.add_argument("checkpoint", type=Path, help="a checkpoint written by gan-engine train")
    predict.add_argument(
        "inputs", nargs="+", type=Path, metavar="INPUT", help="files or folders of files"
    )
    predict.add_argument("--out", type=Path, required=True, help="folder for the outputs")
    predict.add_argument("--suffix", default="", help="added to output names (e.g. _x4)")
    predict.add_argument(
        "--mask",
        type=Path,
        default=None,
        help=(
            "hole-filling models: the hole mask (non-zero = missing) of the one input, or a folder "
            "of masks paired with the inputs by file stem; default: fill the inputs' nodata"
        ),
    )
    predict.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    predict.add_argument(
        "--tile",
        type=int,
        default=None,
        help=(
            "tile edge in input pixels, context included (default: the largest whose measured "
            "memory fits --max-memory, at most 1024 in 2D, 64 in 3D, plus the overlap on each "
            "side); smaller tiles use less memory"
        ),
    )
    predict.add_argument(
        "--max-memory",
        type=_memory,
        default=None,
        metavar="SIZE",
        help=(
            "memory budget, e.g. 2GiB or 512MiB (default: half the available RAM on a CPU, 80%% "
            "of the free memory on a GPU): the default tile is the largest whose measured memory "
            "fits (the choice and why is printed), and outputs that cannot be written in parts "
            "(PNG, JPEG, BMP, WebP, GIF) and would not fit in RAM are refused before any work, "
            "naming a format that streams"
        ),
    )
    predict.add_argument(
        "--overlap",
        type=int,
        default=None,
        help="input pixels of context (default: receptive field)",
    )
    predict.add_argument("--mode", choices=["auto", "centre", "blend"], default="auto")
    predict.add_argument("--guard", type=int, default=0, help="blend: ignored pixels at tile edges")
    predict.add_argument("--batch-size", type=int, default=1, help="tiles per forward pass")
    predict.add_argument(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        default="auto",
        help="channels-last memory format (default: chosen from the hardware: on for CPUs with "
        "native bf16 and CUDA GPUs with tensor cores, off on AVX2 CPUs)",
    )
    predict.add_argument(
        "--precision",
        type=_precision,
        default="auto",
        help="32, bf16-mixed (bf16) or 16-mixed (16) autocast (default auto: fp32 unless bf16 is "
        "native: CPUs with AVX512_BF16/AMX, CUDA from compute capability 8.0)",
    )
    predict.add_argument(
        "--reuse-memory",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=(
            "keep freed memory for the next feature maps while predicting (default: on; glibc "
            "only; faster CPU tiles, the peak is held until the end)"
        ),
    )
    predict.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="torch.compile the network (default: off; faster tiles after compiling)",
    )
    predict.add_argument("--accelerator", default="auto", help="cpu, gpu, auto, …")
    predict.add_argument("--devices", type=_devices, default=1, help="devices per node, or auto")
    predict.add_argument("--num-nodes", type=int, default=1)
    predict.add_argument("--strategy", default="auto", help="Lightning strategy, e.g. ddp")
    predict.add_argument("--no-progress", action="store_true", help="no progress bars")


def _add_export_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="export a checkpoint's (EMA) generator")
    export.add_argument("checkpoint", type=Path, help="a checkpoint written by gan-engine train")
    export.add_argument(
        "--format", choices=["safetensors", "torchscript", "onnx"], required=True, dest="fmt"
    )
    export.add_argument("--out", type=Path, required=True, help="the file to write")
    export.add_argument(
        "--sensor-units", action="store_true", help="bake the normaliser in (torchscript, onnx)"
    )
    export.add_argument("--opset", type=int, default=18, help="ONNX opset (>= 17)")
    export.add_argument(
        "--method", choices=["trace", "script"], default="trace", help="TorchScript"
    )
    export.add_argument("--overwrite", action="store_true", help="replace existing files")


def _add_docs_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    docs = commands.add_parser(
        "docs",
        help="generate the spec and components reference, the JSON Schema and the schedule plots",
    )
    docs.add_argument(
        "--out", type=Path, default=Path("docs"), help="the docs folder to write or check"
    )
    docs.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a generated file is missing or differs from the code",
    )


def _quiet_lightning() -> None:
    # Lightning's hardware banner and hints about worker counts are noise for a CLI user.
    logging.getLogger("lightning.pytorch.utilities.rank_zero").setLevel(logging.WARNING)
    logging.getLogger("lightning.fabric.utilities.rank_zero").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=r".*does not have many workers.*")
    warnings.filterwarnings("ignore", message=r".*smaller than the logging interval.*")
    warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*")


def _train(args: argparse.Namespace) -> int:
    from containers.run import train

    overrides = [*args.overrides, *(["Training.hardware_probe=false"] if args.no_probe else [])]
    spec = load_spec(args.spec, overrides)
    _quiet_lightning()
    result = train(spec, run_dir=args.run_dir, resume=args.resume, announce=print)
    if not result.is_global_zero:
        return 0  # under DDP, rank 0 reports
    print(f"Run directory: {result.run_dir}")
    if result.resumed_from is not None:
        print(f"Resumed from: {result.resumed_from}")
    if result.psnr is not None and result.psnr_bicubic is not None:
        gain = result.psnr - result.psnr_bicubic
        print(
            f"Validation PSNR after {result.generator_steps} generator steps: "
            f"model {result.psnr:.2f} dB, bicubic {result.psnr_bicubic:.2f} dB ({gain:+.2f} dB)"
        )
    if result.best_checkpoint is not None:
        print(f"Best checkpoint: {result.best_checkpoint}")
    if result.last_checkpoint is not None:
        print(f"Last checkpoint: {result.last_checkpoint}")
    return 0


def _check(args: argparse.Namespace) -> int:
    spec = load_spec(args.spec, args.overrides)
    bands = spec.Data.channels
    print(
        f"{args.spec}: valid ({spec.Data.dimensions}, {bands} channel{'s' if bands != 1 else ''}, "
        f"x{spec.Data.scale}, generator {spec.Generator.name})"
    )
    return 0


def _components(args: argparse.Namespace) -> int:
    kinds = [args.kind] if args.kind else list(REGISTRIES)
    print(describe_components([REGISTRIES[kind] for kind in kinds]))
    return 0


def _predict(args: argparse.Namespace) -> int:
    from containers.predict import DeviceOptions, predict_files
    from gan_engine.inference.predictor import PredictOptions

    _quiet_lightning()
    options = PredictOptions(
        tile=args.tile,
        overlap=args.overlap,
        mode=args.mode,
        batch_size=args.batch_size,
        guard=args.guard,
        channels_last=args.channels_last,
        reuse_memory=args.reuse_memory,
        compile=args.compile,
        precision=args.precision,
        max_memory=args.max_memory,
    )
    devices = DeviceOptions(
        accelerator=args.accelerator,
        devices=args.devices,
        num_nodes=args.num_nodes,
        strategy=args.strategy,
    )
    reports = predict_files(
        args.checkpoint,
        args.inputs,
        args.out,
        options=options,
        devices=devices,
        suffix=args.suffix,
        overwrite=args.overwrite,
        progress=not args.no_progress,
        mask=args.mask,
        announce=print,
    )
    for report in reports:
        print(
            f"{report.source} -> {report.target} {list(report.output_shape)} "
            f"({report.tiles} tiles, {report.seconds:.1f} s)"
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from containers.export import export_checkpoint

    result = export_checkpoint(
        args.checkpoint,
        args.fmt,
        args.out,
        sensor_units=args.sensor_units,
        opset=args.opset,
        method=args.method,
        overwrite=args.overwrite,
    )
    weights = "EMA generator" if result.ema else "generator"
    print(f"Exported the {weights} to {result.model} (spec: {result.spec})")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from containers.docgen.outputs import check_files, generated_files, undocumented, write_files

    files = generated_files(_parser(), args.out)
    missing = undocumented()
    if missing:
        print(
            f"note: {len(missing)} keys have no description (add one to the `Attributes:` section of"
        )
        print(f"their class's docstring): {', '.join(missing)}")
    if args.check:
        differences = check_files(files, args.out)
        for difference in differences:
            print(difference.describe(), file=sys.stderr)
        if differences:
            print(
                f"{len(differences)} of {len(files)} generated docs are out of date: "
                f"run `gan-engine docs --out {args.out}` and commit the result",
                file=sys.stderr,
            )
            return 1
        print(f"{len(files)} generated docs under {args.out} are up to date")
        return 0
    changed = write_files(files, args.out)
    for path in changed:
        print(f"wrote {path}")
    print(f"{len(changed)} of {len(files)} generated docs under {args.out} changed")
    return 0


def _degrade(args: argparse.Namespace) -> int:
    from containers.degrade import write_examples

    spec = load_spec(args.spec, args.overrides)
    report = write_examples(spec, args.out, args.n)
    made = "the degradation stages" if report.pipeline else "the dataset's own degradation"
    print(f"Wrote {report.pairs} LR/HR pairs made by {made} to {args.out}; grid: {report.grid}")
    return 0


def _convert(args: argparse.Namespace) -> int:
    from containers.convert.opensr_run import convert_opensr

    report = convert_opensr(args.config, args.checkpoint, args.out)
    for note in report.notes.items:
        print(f"note: {note}")
    print(f"Wrote {report.spec_path}")
    if report.checkpoint_path is not None:
        print(f"Wrote {report.checkpoint_path} (for predict, export and Generator.pretrained)")
    if report.spec_problems is not None:
        print("The spec does not pass `gan-engine check` on this machine yet:", file=sys.stderr)
        print(report.spec_problems, file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    handlers = {
        "train": _train,
        "check": _check,
        "components": _components,
        "predict": _predict,
        "export": _export,
        "docs": _docs,
        "degrade": _degrade,
        "convert": _convert,
    }
    try:
        return handlers[args.command](args)
    except SpecError as error:
        print(str(error), file=sys.stderr)
    except GanEngineError as error:
        print(f"error: {error}", file=sys.stderr)
    return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
