"""The Python API examples run as the docs show them."""

from __future__ import annotations

import ast
import re
import runpy
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_embed_example_trains_two_steps_with_the_overridden_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)  # the example names specs/quickstart.yaml as run from the repository
    monkeypatch.setattr("sys.argv", ["embed.py", str(tmp_path / "run")])
    namespace = runpy.run_path(str(REPO / "examples" / "embed.py"), run_name="__main__")

    out = capsys.readouterr().out
    match = re.search(
        r"^2 generator steps, val/psnr (\d+\.\d+) dB, run in (.+)$", out, re.MULTILINE
    )
    assert match, out
    assert 10.0 < float(match.group(1)) < 60.0
    assert Path(match.group(2)) == tmp_path / "run"
    module = namespace["module"]
    assert module.generator is namespace["generator"]  # the override reached the module
    assert module.discriminator_steps == 1  # pretrain_steps=1: the second batch is adversarial
    assert (tmp_path / "run" / "checkpoints" / "last.ckpt").is_file()


def test_plain_library_example_trains_without_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    namespace = runpy.run_path(str(REPO / "examples" / "plain_library.py"), run_name="__main__")

    out = capsys.readouterr().out
    assert "2 generator steps, 1 discriminator step(s)" in out
    assert re.search(r"val/psnr \d+\.\d+ dB \(bicubic \d+\.\d+ dB\)", out), out
    assert "3D: (1, 1, 16, 16, 16)" in out
    assert namespace["module"].generator is namespace["generator"]


def test_plain_library_example_imports_no_spec_or_di_library() -> None:
    tree = ast.parse((REPO / "examples" / "plain_library.py").read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "gan_engine" in imported
    assert imported.isdisjoint({"containers", "dependency_injector", "ruamel", "cattrs"})


def test_text_conditioning_example_shows_the_prompt_steering(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runpy.run_path(str(REPO / "examples" / "text_conditioning.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "output (2, 3, 32, 32); swapping the prompts changes it: True" in out
