"""The guide's vocabulary table is the code's, and every GAN-Engine name in it exists."""

from __future__ import annotations

import importlib
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest

from containers.convert.vocabulary import TERMS, Term, generator_hint, render_table
from containers.spec.schema import Spec
from gan_engine.registry import REGISTRIES

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "coming-from-opensr.md"


def test_the_guide_shows_the_current_table() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("<!-- vocabulary:start -->\n") + len("<!-- vocabulary:start -->\n")
    end = text.index("<!-- vocabulary:end -->")
    assert text[start:end] == render_table()


def _resolve_object(path: str) -> object:
    module, _, attr = path.rpartition(".")
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        return getattr(importlib.import_module(module), attr)


def _spec_field(path: str) -> Any:
    """The type of the spec key ``path`` (a KeyError when the key does not exist)."""
    hint: Any = Spec
    for part in path.split("."):
        assert attrs.has(hint), f"{path}: {part} is not inside a section"
        assert part in attrs.fields_dict(hint)
        hint = typing.get_type_hints(hint)[part]
        options = [arg for arg in typing.get_args(hint) if attrs.has(arg)]
        hint = options[0] if options and not attrs.has(hint) else hint
    return hint


@pytest.mark.parametrize("term", TERMS, ids=lambda term: term.seen)
def test_every_gan_engine_name_exists(term: Term) -> None:
    if term.check == "object":
        assert _resolve_object(term.target) is not None
    elif term.check == "spec":
        assert _spec_field(term.target) is not None
    else:
        entry = REGISTRIES["generator"].get(term.target)
        params = entry.params_cls(**term.params)
        for key, value in term.params.items():
            assert getattr(params, key) == value
            assert f"{key}: {value}" in term.ours
        assert term.target in term.ours


def test_precision_spellings_are_values_the_spec_accepts() -> None:
    allowed = set(typing.get_args(_spec_field("Training.precision")))
    for term in TERMS:
        if term.target == "Training.precision":
            assert term.ours.split(": ")[1].rstrip("`") in allowed


def test_block_names_as_generator_names_get_the_gan_engine_spelling() -> None:
    hint = generator_hint("RCAB")
    assert hint is not None
    assert "name: srresnet with params: {block: rcab}" in hint
    assert generator_hint("srresnet") is None
