"""``gan-engine docs``: the committed docs match the code, and ``--check`` says when they do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from containers.cli.main import _parser, main
from containers.docgen.outputs import generated_files

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


def test_the_committed_docs_are_what_the_code_generates(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["docs", "--check", "--out", str(DOCS)])
    assert status == 0, capsys.readouterr().err


def test_check_names_a_stale_and_a_missing_file_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["docs", "--out", str(tmp_path)]) == 0
    assert main(["docs", "--check", "--out", str(tmp_path)]) == 0
    spec = tmp_path / "reference" / "spec.md"
    spec.write_text(spec.read_text().replace("bands per image", "bands per picture"))
    (tmp_path / "images" / "ema_decay.svg").unlink()
    capsys.readouterr()

    assert main(["docs", "--check", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{spec}: out of date" in err
    assert "-| `channels` | int, ≥ 1 | `3` | bands per picture" in err
    assert "+| `channels` | int, ≥ 1 | `3` | bands per image" in err
    assert f"{tmp_path / 'images' / 'ema_decay.svg'}: missing" in err
    total = len(generated_files(_parser()))
    assert f"2 of {total} generated docs are out of date: run `gan-engine docs" in err


def test_writing_reports_only_changed_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["docs", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["docs", "--out", str(tmp_path)]) == 0
    total = len(generated_files(_parser()))
    out = capsys.readouterr().out
    assert "wrote" not in out
    assert out.splitlines()[-1] == f"0 of {total} generated docs under {tmp_path} changed"


def test_generation_is_deterministic() -> None:
    assert generated_files(_parser()) == generated_files(_parser())


def test_the_docs_command_is_in_the_cli_reference() -> None:
    cli = generated_files(_parser())["reference/cli.md"]
    assert "## `gan-engine docs`" in cli
    assert "| `--check` | flag |  | write nothing; exit 1 if a generated file is missing" in cli


def test_copies_of_files_in_pages_are_refreshed_and_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs"
    (docs / "guides").mkdir(parents=True)
    (tmp_path / "example.py").write_text("print('new')\n")
    page = docs / "guides" / "page.md"
    page.write_text(
        "Run it:\n\n<!-- snippet: example.py -->\n```python\nprint('old')\n```\n\nDone.\n"
    )
    assert main(["docs", "--out", str(docs)]) == 0
    assert page.read_text() == (
        "Run it:\n\n<!-- snippet: example.py -->\n```python\nprint('new')\n```\n\nDone.\n"
    )
    (tmp_path / "example.py").write_text("print('newer')\n")
    capsys.readouterr()
    assert main(["docs", "--check", "--out", str(docs)]) == 1
    err = capsys.readouterr().err
    assert f"{page}: out of date" in err
    assert "+print('newer')" in err
