"""Pass 3: resolve each named component in its registry and validate its parameters.

Works on the raw tree, alongside the schema pass, so that problems in components are reported with
the schema's even when other sections are broken. Values of the wrong type are left to the schema
pass. Where components are named is :data:`containers.spec.sites.COMPONENT_SITES`; each is looked
up once, here, and the loader keeps the entry on the spec section for the builders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from containers.convert.vocabulary import generator_hint
from containers.spec.converter import CONVERTER
from containers.spec.degradation import STAGES_PATH, check_stages
from containers.spec.files import check_callables, check_pretrained
from containers.spec.metric_labels import metric_label_issues
from containers.spec.model import ModelDataSpec
from containers.spec.problems import Issue, KeyPath, get_path, split_key
from containers.spec.schema import DataSpec
from containers.spec.sites import Place, places
from containers.spec.structure_errors import issues_from_error
from containers.spec.values import is_list
from gan_engine.errors import ComponentNotFoundError, InvalidParamError
from gan_engine.params import ContextChecked
from gan_engine.registry import Entry, Registry
from gan_engine.types import BuildContext


@attrs.frozen
class ComponentReport:
    """The outcome of pass 3.

    Attributes:
        issues: every problem found.
        params: each structured ``params`` by its key path (and the stage list at
            :data:`~containers.spec.degradation.STAGES_PATH`).
        entries: the registry entry of each resolved component, by its section's key path.
    """

    issues: list[Issue]
    params: dict[KeyPath, Any]
    entries: dict[KeyPath, Entry[Any]]


def check_components(
    tree: Mapping[str, Any],
    registries: Mapping[str, Registry[Any]],
    *,
    data_cls: type[DataSpec] | type[ModelDataSpec] = DataSpec,
) -> ComponentReport:
    """Resolve every component of ``tree`` and structure its ``params`` into its own class.

    ``data_cls`` is the class ``Data`` is validated into: the whole :class:`DataSpec` for a run,
    the geometry alone (:class:`ModelDataSpec`) where only a model is rebuilt.
    """
    data = _data_section(tree.get("Data"), data_cls)
    context = None if data is None else BuildContext(data.spatial_dims, data.channels, data.scale)
    issues: list[Issue] = []
    params: dict[KeyPath, Any] = {}
    entries: dict[KeyPath, Entry[Any]] = {}
    for place in places(tree):
        site = place.site
        if site.stages:
            continue  # the stage list is checked as a whole by check_stages below
        name = place.name(tree)
        if not isinstance(name, str):
            continue  # missing or mistyped: the schema pass reports it
        registry = registries.get(site.kind)
        if registry is None:
            continue  # a caller's partial set of registries does not check this kind
        try:
            entry = registry.get(name)
        except ComponentNotFoundError as error:
            hint = generator_hint(name) if site.kind == "generator" else None
            message = str(error) if hint is None else f"{error}; {hint}"
            issues.append(Issue(place.name_path, message))
            continue
        entries[place.path] = entry
        if data is not None:
            issues += _capability_issues(place, entry, data)
        raw = get_path(tree, place.params_path, {})
        structured = _structure_params(entry, raw, place.params_path, context, issues)
        if structured is not None:
            params[place.params_path] = structured
    issues += _conditioning_issues(entries)
    batch_size = data.batch_size if isinstance(data, DataSpec) else None
    stages = check_stages(
        tree, registries.get("degradation"), context, batch_size, _structure_params
    )
    issues += stages.issues
    if stages.stages is not None and ("Data", "params") in params:
        params[STAGES_PATH] = stages.stages
    issues += _loss_role_issues(tree, entries, registries.get("loss"))
    issues += metric_label_issues(tree)
    issues += check_pretrained(tree)
    issues += check_callables(tree)
    return ComponentReport(issues, params, entries)


def _data_section(
    raw: Any, data_cls: type[DataSpec] | type[ModelDataSpec]
) -> DataSpec | ModelDataSpec | None:
    """The Data section if it is valid on its own (its problems are the schema pass's to report)."""
    try:
        data = CONVERTER.structure(raw, data_cls)
    except Exception:  # reported by the schema pass
        return None
    return data if isinstance(data, DataSpec | ModelDataSpec) else None


_TASK: KeyPath = ("Task",)
_NETWORKS: tuple[tuple[KeyPath, str], ...] = (
    (("Generator",), "generator_needs"),
    (("Discriminator",), "discriminator_needs"),
)


_WRAPPED: dict[str, frozenset[str]] = {"generator": frozenset({"mask"})}
"""Conditioning any network of a kind accepts once wrapped: every generator takes hole masks
through :class:`gan_engine.generators.mask_input.MaskInput` (see ``build_generator``)."""


def _conditioning_issues(entries: Mapping[KeyPath, Entry[Any]]) -> list[Issue]:
    """The task feeds a network conditioning that the network's capabilities do not accept."""
    task = entries.get(_TASK)
    if task is None:
        return []  # unresolved (reported) or not a mapping (the schema pass reports it)
    issues = []
    for path, field in _NETWORKS:
        network = entries.get(path)
        if network is None:
            continue
        needed: frozenset[str] = getattr(task.capabilities, field)
        missing = (
            needed - network.capabilities.conditioning - _WRAPPED.get(network.kind, frozenset())
        )
        if not missing:
            continue
        accepted = ", ".join(sorted(network.capabilities.conditioning)) or "none"
        message = (
            f"task '{task.name}' conditions the {network.kind} on {', '.join(sorted(needed))}, "
            f"but {network.kind} '{network.name}' accepts {accepted} (missing: "
            f"{', '.join(sorted(missing))}); choose a {network.kind} whose capabilities include it"
        )
        issues.append(Issue((*path, "name"), message))
    return issues


def _structure_params(
    entry: Entry[Any], raw: Any, path: KeyPath, context: BuildContext | None, issues: list[Issue]
) -> Any:
    """``params`` as an instance of the entry's class, or ``None`` after recording its problems."""
    if raw is None:
        raw = {}
    if isinstance(raw, entry.params_cls):
        instance: Any = raw
    elif attrs.has(type(raw)):  # structured already, but for another component (Python API)
        message = f"expected a mapping or {entry.params_cls.__name__}, got {type(raw).__name__}"
        issues.append(Issue(path, message))
        return None
    elif not isinstance(raw, Mapping):
        return None  # the schema pass reports a params value that is not a mapping
    else:
        try:
            instance = CONVERTER.structure(raw, entry.params_cls)
        except Exception as error:  # every structuring problem is reported with its path
            issues += issues_from_error(error, path)
            return None
    if context is not None and isinstance(instance, ContextChecked):
        found = _context_errors(instance, context)
        issues += [Issue((*path, *split_key(error.key)), error.message) for error in found]
        if found:
            return None
    return instance


def _context_errors(instance: ContextChecked, context: BuildContext) -> list[InvalidParamError]:
    try:
        return list(instance.check(context))
    except InvalidParamError as error:  # raised rather than yielded: still one problem
        return [error]


def _capability_issues(
    place: Place, entry: Entry[Any], data: DataSpec | ModelDataSpec
) -> list[Issue]:
    capabilities = entry.capabilities
    issues = []
    if data.spatial_dims not in capabilities.spatial_dims:
        supported = ", ".join(f"{dims}d" for dims in sorted(capabilities.spatial_dims)) or "no dims"
        message = (
            f"{entry.kind} '{entry.name}' supports {supported} only; "
            f"Data.dimensions is {data.dimensions}"
        )
        issues.append(Issue(place.name_path, message))
    scales = capabilities.scales
    if place.site.kind in ("generator", "task") and scales is not None and data.scale not in scales:
        supported = ", ".join(str(scale) for scale in sorted(scales))
        message = (
            f"{entry.kind} '{entry.name}' supports scales {supported} only; "
            f"Data.scale is {data.scale}"
        )
        issues.append(Issue(place.name_path, message))
    return issues


def is_adversarial(entry: Entry[Any]) -> bool:
    """Whether a loss is adversarial (also trains the discriminator): ``discriminator_loss``."""
    return hasattr(entry.factory, "discriminator_loss")


def _loss_role_issues(
    tree: Mapping[str, Any], entries: Mapping[KeyPath, Entry[Any]], losses: Registry[Any] | None
) -> list[Issue]:
    terms = tree.get("Losses")
    if not is_list(terms):
        return []  # missing or mistyped: the schema pass reports it
    if not terms:
        return [Issue(("Losses",), "at least one loss term is required", anchor="key")]
    adversarial = [
        (path, entry)
        for path, entry in entries.items()
        if path[0] == "Losses" and is_adversarial(entry)
    ]
    discriminator = tree.get("Discriminator")
    if discriminator is None:
        featured = [
            (path, entry)
            for path, entry in entries.items()
            if path[0] == "Losses" and getattr(entry.factory, "needs_features", False)
        ]
        return [
            Issue(
                (*path, "name"),
                f"loss '{entry.name}' is adversarial and needs a Discriminator section",
            )
            for path, entry in adversarial
        ] + [
            Issue(
                (*path, "name"),
                f"loss '{entry.name}' uses discriminator features: it needs a Discriminator",
            )
            for path, entry in featured
        ]
    if not isinstance(discriminator, Mapping):
        return []  # mistyped: the schema pass reports it
    needs = "a Discriminator needs exactly one adversarial loss term"
    if len(adversarial) > 1:
        found = ", ".join(f"'{entry.name}' (Losses.{path[1]})" for path, entry in adversarial)
        message = f"{needs}, found {len(adversarial)}: {found}"
        return [Issue(("Losses",), message, anchor="key")]
    resolved = sum(1 for path in entries if path[0] == "Losses")
    if adversarial or resolved < len(terms):
        return []  # one found, or an unresolved name (already reported) might be the one
    names = [] if losses is None else [e.name for e in losses.entries() if is_adversarial(e)]
    hint = f" (adversarial losses: {', '.join(names)})" if names else ""
    return [Issue(("Losses",), f"{needs}, found none{hint}", anchor="key")]
