"""The ``unreadable`` policy of folder datasets is validated at load like every parameter."""

from __future__ import annotations

from pathlib import Path

import pytest

from containers.spec.loader import load_spec_text
from containers.spec.problems import SpecError


def test_a_wrong_policy_in_a_spec_is_reported_with_file_line_and_key(tmp_path: Path) -> None:
    spec = Path(__file__).resolve().parents[3] / "specs" / "quickstart.yaml"
    text = spec.read_text(encoding="utf-8").replace(
        "  dataset: sample_photos\n  params:\n",
        f"  dataset: rgb_folder\n  params:\n    root: {tmp_path}\n    unreadable: sometimes\n",
    )
    text = text.replace("    val_images: [chelsea, coffee]\n", "")
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "s.yaml")
    assert "s.yaml:11:17: Data.params.unreadable: expected one of 'fail', 'skip'" in str(
        caught.value
    )
