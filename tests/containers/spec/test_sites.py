"""The one table of component sites: every row is validated, resolved once, kept and documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from ruamel.yaml import YAML

from containers.builders import build_generator, build_loss_terms
from containers.docgen.model.entries import entries_by_kind
from containers.docgen.model.sections import spec_sections
from containers.docgen.pages.components_reference import components_reference
from containers.spec import sites as spec_sites
from containers.spec.components import check_components
from containers.spec.loader import spec_from_dict
from containers.spec.problems import SpecError
from containers.spec.resolved import spec_to_dict, spec_to_yaml
from containers.spec.schema import Spec
from containers.spec.sites import (
    COMPONENT_SITES,
    ITEM,
    ComponentSite,
    evolve_section,
    places,
    resolved_entry,
)
from gan_engine.errors import GanEngineError
from gan_engine.registry import GENERATORS, LOSSES, REGISTRIES

REPO = Path(__file__).resolve().parents[3]
Tree = dict[str, Any]


def _load(name: str) -> Tree:
    tree = YAML(typ="safe").load((REPO / "specs" / name).read_text(encoding="utf-8"))
    assert isinstance(tree, dict)
    return tree


def _name_site(tree: Tree, site: ComponentSite, name: str) -> str:
    """Write ``name`` at ``site`` in ``tree`` (creating the sections and a first list item on the way).

    Returns the dotted key the loader reports it under.
    """
    node: Any = tree
    keys: list[str | int] = []
    for index, part in enumerate(site.path):
        last = index == len(site.path) - 1
        fresh: Any = {} if last or site.path[index + 1] != ITEM else []
        if part == ITEM:
            if not node:
                node.append(fresh)
            key: str | int = 0
        else:
            key = part
            if node.get(key) is None:
                node[key] = fresh
        keys.append(key)
        node = node[key]
    node[site.name_key] = name
    return ".".join(str(key) for key in (*keys, site.name_key))


def _messages(tree: Tree) -> list[str]:
    with pytest.raises(SpecError) as raised:
        spec_from_dict(tree)
    return [f"{problem.key}: {problem.message}" for problem in raised.value.problems]


@pytest.mark.parametrize("site", COMPONENT_SITES, ids=[site.dotted for site in COMPONENT_SITES])
def test_every_site_is_resolved_by_the_loader(site: ComponentSite) -> None:
    """An unknown name at any site of the table is reported there, with the site's registry."""
    tree = _load("quickstart.yaml")
    where = _name_site(tree, site, "no_such_component")
    expected = f"{where}: unknown {site.kind} 'no_such_component'"
    messages = _messages(tree)
    assert any(message.startswith(expected) for message in messages), messages


@pytest.mark.parametrize("site", COMPONENT_SITES, ids=[site.dotted for site in COMPONENT_SITES])
def test_every_site_is_documented(site: ComponentSite) -> None:
    """The components reference says where each kind is named; schema sections exist for each site."""
    entries = entries_by_kind({site.kind: REGISTRIES[site.kind]})
    page = components_reference(entries, {site.kind: f"gan_engine.{site.kind}s"})
    assert f"`{site.dotted}.{site.name_key}`" in page
    if not site.in_params:  # a section of the schema: documented (and checked by name) there
        sections = [section for section in spec_sections(Spec) if site.path in section.paths]
        assert [section.kind for section in sections] == [site.kind]


@pytest.mark.parametrize(
    ("spec_file", "sites"),
    [("quickstart.yaml", 7), ("text_sr_photos.yaml", 9), ("realworld_rgb_x4.yaml", 11)],
)
def test_each_section_keeps_the_entry_looked_up_once(spec_file: str, sites: int) -> None:
    """Every component named in the spec, degradation stages and text encoders included."""
    tree = _load(spec_file)
    spec = spec_from_dict(tree)
    checked = 0
    for place in places(tree):
        section: Any = spec
        for part in place.path:
            section = section[part] if isinstance(part, int) else getattr(section, part)
        entry = section.entry
        assert entry.kind == place.site.kind
        assert entry.name == place.name(tree)
        assert entry.params_cls is type(section.params)
        checked += 1
    assert checked == sites


def test_the_entry_is_neither_written_nor_read() -> None:
    tree = _load("quickstart.yaml")
    spec = spec_from_dict(tree)
    assert "entry" not in spec_to_yaml(spec)
    assert spec_from_dict(spec_to_dict(spec)) == spec
    tree["Generator"]["entry"] = "srresnet"
    messages = _messages(tree)
    assert messages == [
        "Generator: unknown key 'entry'; allowed keys: name, params, pretrained",
    ]


def test_builders_use_the_resolved_entry_and_refuse_an_unresolved_section() -> None:
    spec = spec_from_dict(_load("quickstart.yaml"))
    assert resolved_entry(spec.Generator, "Generator", GENERATORS) is GENERATORS.get("srresnet")
    unresolved = attrs.evolve(spec, Generator=attrs.evolve(spec.Generator, pretrained=None))
    with pytest.raises(GanEngineError, match="Generator was not resolved"):
        build_generator(unresolved)
    with pytest.raises(GanEngineError, match="resolved as a generator, expected a loss"):
        resolved_entry(spec.Generator, "Generator", LOSSES)
    kept = attrs.evolve(spec, Generator=evolve_section(spec.Generator, pretrained=None))
    assert kept.Generator.entry is spec.Generator.entry
    assert sum(p.numel() for p in build_generator(kept).parameters()) > 0  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="cannot be renamed"):
        evolve_section(spec.Generator, name="rrdbnet")
    assert [term.name for term in build_loss_terms(spec).content] == ["l1"]


def test_a_new_row_is_validated_resolved_and_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a site is one row: the loader resolves it and the docs list it, with nothing else."""
    site = ComponentSite(("Generator", "params", "helper"), "loss")
    monkeypatch.setattr(spec_sites, "COMPONENT_SITES", (*COMPONENT_SITES, site))
    tree = _load("quickstart.yaml")
    _name_site(tree, site, "no_such_loss")
    assert any(
        message.startswith("Generator.params.helper.name: unknown loss 'no_such_loss'")
        for message in _messages(tree)
    )
    _name_site(tree, site, "l1")
    report = check_components(tree, REGISTRIES)
    assert report.entries[site.path].name == "l1"
    assert report.params[(*site.path, "params")] == LOSSES.get("l1").params_cls()
    page = components_reference(entries_by_kind({"loss": LOSSES}), {"loss": "gan_engine.losses"})
    assert "Named in a spec at `Losses[i].name`, `Generator.params.helper.name`." in page
