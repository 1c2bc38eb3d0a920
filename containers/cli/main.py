"""``gan-engine``: train, check and list components from the command line.

User mistakes (an invalid spec, missing data, missing weights) print one clear message per problem to
stderr and exit with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from containers.cli.describe import describe_components
from containers.spec.loader import load_spec
from containers.spec.problems import SpecError
from gan_engine.errors import GanEngineError
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
    check = commands.add_parser("check", help="validate a spec; exit 0 when valid, 2 otherwise")
    add_spec_arguments(check)
    components = commands.add_parser("components", help="list registered components")
    components.add_argument("kind", nargs="?", choices=sorted(REGISTRIES), help="only this kind")
    return parser


def _quiet_lightning() -> None:
    # Lightning's hardware banner and hints about worker counts are noise for a CLI user.
    logging.getLogger("lightning.pytorch.utilities.rank_zero").setLevel(logging.WARNING)
    logging.getLogger("lightning.fabric.utilities.rank_zero").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=r".*does not have many workers.*")
    warnings.filterwarnings("ignore", message=r".*smaller than the logging interval.*")


def _train(args: argparse.Namespace) -> int:
    from containers.run import train

    spec = load_spec(args.spec, args.overrides)
    _quiet_lightning()
    result = train(spec, run_dir=args.run_dir)
    print(f"Run directory: {result.run_dir}")
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
    print(
        f"{args.spec}: valid ({spec.Data.dimensions}, {spec.Data.channels} channels, "
        f"x{spec.Data.scale}, generator {spec.Generator.name})"
    )
    return 0


def _components(args: argparse.Namespace) -> int:
    kinds = [args.kind] if args.kind else list(REGISTRIES)
    print(describe_components([REGISTRIES[kind] for kind in kinds]))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    handlers = {"train": _train, "check": _check, "components": _components}
    try:
        return handlers[args.command](args)
    except SpecError as error:
        print(str(error), file=sys.stderr)
    except GanEngineError as error:
        print(f"error: {error}", file=sys.stderr)
    return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
