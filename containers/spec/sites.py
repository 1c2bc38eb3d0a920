"""Every place a run spec names a registered component: one table for validation, loading, building, docs.

A row of :data:`COMPONENT_SITES` says where a section naming a component sits (``Generator``, every
item of ``Losses``, ``Task.params.encoder``), which registry resolves its name, under which key the
name is written and what it defaults to. From that one row:

- the loader's component pass (:mod:`containers.spec.components`) finds each place in a spec with
  :func:`places`, looks the name up once, checks the component's capabilities against the data and
  structures ``params`` into the component's own class;
- the loader keeps the looked-up entry on the spec section (:func:`attach_entry`; never in YAML nor in
  the resolved ``spec.yaml``) and the builders read it back with :func:`resolved_entry`;
- the documentation generator (:mod:`containers.docgen`) lists the names allowed at each site, links
  the components reference and, in the JSON Schema, checks ``params`` by name.

Adding a site is one row here: its path (:data:`ITEM` for every item of a list), its registry kind,
and ``default_name``/``implied`` when the name may be left out; validation, params structuring and
the docs follow from the row. For the loader to keep the resolved entry, the section's attrs class
declares an ``entry`` field as those of :mod:`containers.spec.schema` do, and its builder takes the
component from :func:`resolved_entry`. The last row is an example: validation metrics, written
``Validation: {metrics: [{name, params}]}``, needed only that row, an ``entry`` field on
:class:`~containers.spec.schema.MetricSpec` and a builder reading :func:`resolved_entry`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar, cast

import attrs

from containers.spec.problems import KeyPath, get_path
from containers.spec.schema import NormalisationSpec, TaskSpec
from containers.spec.values import is_list
from gan_engine.errors import GanEngineError
from gan_engine.registry import Entry, Registry

ITEM = "[i]"
"""Path part standing for every item of a list (``Losses[i]``)."""


def dotted(path: tuple[str, ...]) -> str:
    """A site path as the docs write it: ``("Losses", "[i]", "schedule")`` → ``Losses[i].schedule``."""
    return ".".join(path).replace(f".{ITEM}", ITEM)


@attrs.frozen
class ComponentSite:
    """A spec section that names a component of one kind and carries its ``params``.

    Attributes:
        path: the section's path (``("Losses", "[i]")`` for every loss term).
        kind: the registry that resolves the name (``generator``, ``loss``, …).
        name_key: the key holding the name (``name``, or ``dataset`` in ``Data``).
        default_name: the name used when the key is absent (``None``: the key is required).
        implied: the section itself may be absent, and then stands for ``default_name`` with no
            params (``Task``, ``Normalisation``); otherwise an absent section names nothing.
        stages: the items are degradation stages ``{name, p, params}``, checked as a list by
            :mod:`containers.spec.degradation` (probabilities, batch-level stages, pool placement).
    """

    path: tuple[str, ...]
    kind: str
    name_key: str = "name"
    default_name: str | None = None
    implied: bool = False
    stages: bool = False

    @property
    def dotted(self) -> str:
        """The path as written in the docs: ``Normalisation.lr``, ``Losses[i]``."""
        return dotted(self.path)

    @property
    def in_params(self) -> bool:
        """Whether the site lies inside another component's ``params`` (not a section of the schema)."""
        return "params" in self.path


COMPONENT_SITES: tuple[ComponentSite, ...] = (
    ComponentSite(("Data",), "dataset", name_key="dataset"),
    ComponentSite(("Generator",), "generator"),
    ComponentSite(("Task",), "task", default_name=TaskSpec().name, implied=True),
    ComponentSite(("Task", "params", "encoder"), "text_encoder", default_name="bytes"),
    ComponentSite(("Discriminator",), "discriminator"),
    ComponentSite(("Losses", ITEM), "loss"),
    ComponentSite(
        ("Normalisation",), "normaliser", default_name=NormalisationSpec().name, implied=True
    ),
    ComponentSite(("Normalisation", "lr"), "normaliser"),
    ComponentSite(("Normalisation", "hr"), "normaliser"),
    ComponentSite(("Data", "params", "degradation", ITEM), "degradation", stages=True),
    ComponentSite(("Validation", "metrics", ITEM), "metric"),
)
"""Every place a spec names a component, in the order the loader resolves (and reports) them."""


def site_at(path: tuple[str, ...]) -> ComponentSite | None:
    """The component site at ``path``, if there is one."""
    return next((site for site in COMPONENT_SITES if site.path == path), None)


@attrs.frozen
class Place:
    """One site as it occurs in a given spec tree (list items numbered).

    Attributes:
        site: the table row.
        path: the section's key path in the tree (``("Losses", 1)``).
    """

    site: ComponentSite
    path: KeyPath

    @property
    def name_path(self) -> KeyPath:
        """Where the name is written."""
        return (*self.path, self.site.name_key)

    @property
    def params_path(self) -> KeyPath:
        """Where the parameters are written."""
        return (*self.path, "params")

    def name(self, tree: Mapping[str, Any]) -> Any:
        """The name written here, ``default_name`` when absent (``None``: nothing to resolve)."""
        return get_path(tree, self.name_path, self.site.default_name)


def places(tree: Mapping[str, Any]) -> list[Place]:
    """Where ``tree`` holds each component site: sections that are mappings, and absent implied ones.

    A section of the wrong type is skipped (the schema pass reports it), and so is every site below it.
    """
    return [place for site in COMPONENT_SITES for place in _expand(tree, site, site.path, ())]


def _expand(
    node: Any, site: ComponentSite, rest: tuple[str, ...], done: KeyPath
) -> Iterator[Place]:
    if not rest:
        if isinstance(node, Mapping):
            yield Place(site, done)
        return
    head, tail = rest[0], rest[1:]
    if head == ITEM:
        if is_list(node):
            for index, item in enumerate(node):
                yield from _expand(item, site, tail, (*done, index))
        return
    if not isinstance(node, Mapping):
        return
    if head not in node:
        if site.implied and not tail:
            yield Place(site, (*done, head))  # stands for the default component
        return
    yield from _expand(node[head], site, tail, (*done, head))


def attach_entry(section: Any, entry: Entry[Any]) -> None:
    """Keep ``entry`` on ``section``, a spec section just built by the loader.

    Set in place: the section is frozen, and rebuilding it (and every section above it) with
    ``attrs.evolve`` would drop the ``init=False`` field, by design (see :mod:`containers.spec.schema`).
    """
    object.__setattr__(section, "entry", entry)


_Section = TypeVar("_Section", bound=attrs.AttrsInstance)
F = TypeVar("F")


def evolve_section(section: _Section, **changes: Any) -> _Section:
    """``attrs.evolve`` of a resolved section that keeps its entry, unless the change names another.

    Raises:
        ValueError: ``changes`` rename the component (its entry must be looked up again by loading).
    """
    entry = getattr(section, "entry", None)
    changed: _Section = attrs.evolve(cast(Any, section), **changes)
    if entry is not None:
        if any(key in changes for key in ("name", "dataset")):
            msg = "a resolved section cannot be renamed: change the spec's text and load it again"
            raise ValueError(msg)
        attach_entry(changed, entry)
    return changed


def resolved_entry(section: Any, where: str, registry: Registry[F]) -> Entry[F]:
    """The entry of ``registry`` the loader looked up for ``section`` (at ``where``, e.g. ``Generator``).

    ``registry`` is not searched: it gives the entry its factory's type and is checked to be the kind
    the loader resolved.

    Raises:
        GanEngineError: the section was not validated by the loader (built or renamed in Python):
            its params are not structured and its name not looked up.
    """
    entry = getattr(section, "entry", None)
    if not isinstance(entry, Entry):
        msg = (
            f"{where} was not resolved: validate the spec with containers.spec.loader "
            "(load_spec or spec_from_dict), which looks each component up and structures its params"
        )
        raise GanEngineError(msg)
    if entry.kind != registry.kind:
        msg = f"{where} was resolved as a {entry.kind}, expected a {registry.kind}"
        raise GanEngineError(msg)
    return cast(Entry[F], entry)
