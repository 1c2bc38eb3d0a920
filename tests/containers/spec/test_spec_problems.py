from __future__ import annotations

from containers.spec import SpecError, SpecProblem
from gan_engine.errors import GanEngineError


def test_problem_text_with_and_without_position() -> None:
    positioned = SpecProblem(
        "specs/x.yaml", 12, 5, "Generator.params.n_blocks", "expected int, got '16x'"
    )
    assert (
        str(positioned) == "specs/x.yaml:12:5: Generator.params.n_blocks: expected int, got '16x'"
    )
    unpositioned = SpecProblem("specs/x.yaml", None, None, "Data", "missing required key 'dataset'")
    assert str(unpositioned) == "specs/x.yaml: Data: missing required key 'dataset'"
    whole = SpecProblem("specs/x.yaml", None, None, "", "spec file not found")
    assert str(whole) == "specs/x.yaml: spec file not found"


def test_error_sorts_by_position_unpositioned_last_and_drops_duplicates() -> None:
    late = SpecProblem("s.yaml", 9, 1, "b", "late")
    early = SpecProblem("s.yaml", 2, 7, "a", "early")
    same_line = SpecProblem("s.yaml", 2, 3, "a", "same line, earlier column")
    override = SpecProblem("--set x=1", None, None, "x", "override")
    error = SpecError([override, late, early, same_line, late])
    assert error.problems == [same_line, early, late, override]
    assert str(error).splitlines() == [str(p) for p in (same_line, early, late, override)]
    assert isinstance(error, GanEngineError)
