"""Run specs: the attrs schema, strict YAML loading with positioned errors, the resolved dump."""

from containers.spec.loader import load_spec, load_spec_text, spec_from_dict
from containers.spec.problems import SpecError, SpecProblem
from containers.spec.resolved import spec_to_dict, write_resolved_spec

__all__ = [
    "SpecError",
    "SpecProblem",
    "load_spec",
    "load_spec_text",
    "spec_from_dict",
    "spec_to_dict",
    "write_resolved_spec",
]
