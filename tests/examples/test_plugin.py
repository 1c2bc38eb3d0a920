"""The example plugin, installed as pip would install it, is found through its entry points and trains.

The test writes the ``.dist-info`` folder that ``pip install`` leaves behind (``METADATA`` and
``entry_points.txt``, the entry points read from ``examples/plugin/pyproject.toml``) and puts it and
the plugin's sources on ``PYTHONPATH`` of a fresh process, so ``importlib.metadata.entry_points`` finds
the plugin as it finds an installed one, and the registry (which loads entry points once per process)
starts empty of it. The process lists the components and trains two steps with the plugin's generator
and loss, as ``gan-engine`` would.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from gan_engine.registry import REGISTRIES
from tests.containers.conftest import FAST

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "examples" / "plugin"

# Runs the CLI entry point three times in one fresh process: list, train, and check the generated
# docs still match (a plugin must not leak into them).
SCRIPT = """
import sys
from containers.cli.main import main
main(["components", "generator"])
main(["components", "loss"])
status = main(sys.argv[1:])
print("docs check:", main(["docs", "--check", "--out", "{docs}"]))
sys.exit(status)
"""


def test_entry_point_groups_are_the_documented_ones() -> None:
    groups = {kind: registry.entry_point_group for kind, registry in REGISTRIES.items()}
    assert groups == {
        "generator": "gan_engine.generators",
        "discriminator": "gan_engine.discriminators",
        "loss": "gan_engine.losses",
        "normaliser": "gan_engine.normalisers",
        "dataset": "gan_engine.datasets",
        "degradation": "gan_engine.degradations",
        "text_encoder": "gan_engine.text_encoders",
        "task": "gan_engine.tasks",
        "mask_generator": "gan_engine.mask_generators",
        "metric": "gan_engine.metrics",
    }


def install_metadata(site: Path) -> dict[str, Any]:
    """Write the plugin's ``.dist-info`` under ``site``; returns its ``[project]`` table."""
    project: dict[str, Any] = tomllib.loads((PLUGIN / "pyproject.toml").read_text())["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    metadata = f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    (info / "METADATA").write_text(metadata)
    lines = []
    for group, points in project["entry-points"].items():
        lines += [f"[{group}]", *(f"{name} = {value}" for name, value in points.items()), ""]
    (info / "entry_points.txt").write_text("\n".join(lines))
    return project


def test_the_plugin_registers_through_entry_points_and_trains(tmp_path: Path) -> None:
    project = install_metadata(tmp_path / "site")
    assert set(project["entry-points"]) == {"gan_engine.generators", "gan_engine.losses"}
    run_dir = tmp_path / "run"
    overrides = [
        *FAST,
        "Generator.name=nearest_conv",
        "Generator.params={width: 8, depth: 1}",
        "Losses.0.name=fft_l1",
        "Trainer.log_every_n_steps=1",
        f"Logging.run_root={tmp_path / 'runs'}",
    ]
    args = ["train", str(REPO / "specs" / "quickstart.yaml"), "--run-dir", str(run_dir)]
    for override in overrides:
        args += ["--set", override]
    paths = [tmp_path / "site", PLUGIN / "src", REPO, os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(path) for path in paths if str(path))}
    script = SCRIPT.replace("{docs}", str(REPO / "docs"))
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "  nearest_conv  [2d, 3d; plugin gan_engine_example_plugin.generator:" in out
    assert "  fft_l1  [2d, 3d; plugin gan_engine_example_plugin.loss:FourierL1Loss]" in out
    assert "failed to load" not in out
    assert "Validation PSNR after 2 generator steps" in out
    assert "docs check: 0" in out  # installed plugins do not change the generated docs

    resolved = YAML(typ="safe").load((run_dir / "spec.yaml").read_text())
    assert resolved["Generator"] == {
        "name": "nearest_conv",
        "params": {"width": 8, "depth": 1},
        "pretrained": None,
    }
    assert resolved["Losses"][0]["name"] == "fft_l1"
    assert resolved["Losses"][0]["params"] == {"norm": "ortho"}
    with (run_dir / "metrics.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    losses = [float(row["train/g_fft_l1"]) for row in rows if row.get("train/g_fft_l1")]
    assert len(losses) == 2
    assert all(value > 0 for value in losses)
