"""Functions that turn a validated :class:`~containers.spec.schema.Spec` into components.

The DI containers call these; each takes the spec (already validated, with structured params and
each component's registry entry kept on its section by the loader, see :mod:`containers.spec.sites`)
and returns one part: no builder looks a name up in a registry again. They are plain functions so
they can be reused and tested without the containers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any, Protocol, cast, runtime_checkable

import attrs
from torch import nn

from containers.spec.model import ModelSpec
from containers.spec.schema import ComponentSpec, Spec
from containers.spec.sites import resolved_entry
from gan_engine.data.datamodule import SRDataModule, default_workers
from gan_engine.data.fit_samples import DatasetSamples
from gan_engine.data.holes.samples import HoleSelector
from gan_engine.errors import GanEngineError
from gan_engine.generators.mask_input import with_mask_input
from gan_engine.normalisers.branches import PerBranchNormaliser
from gan_engine.protocols import (
    AdversarialLoss,
    DatasetSelector,
    DegradationPipeline,
    Discriminator,
    Generator,
    HoleFilling,
    Normaliser,
    Task,
)
from gan_engine.registry import DATASETS, DISCRIMINATORS, GENERATORS, LOSSES, NORMALISERS, TASKS
from gan_engine.training.callbacks.extra_validation import ValidationHook
from gan_engine.training.terms import AdversarialTerm, LossTerm
from gan_engine.weights import load_strict, read_state_dict


def build_normaliser(spec: Spec | ModelSpec) -> Normaliser:
    """The normaliser of both branches (``Normalisation.lr``/``.hr`` override the shared one)."""
    section = spec.Normalisation

    def make(branch: str) -> Normaliser:
        own: ComponentSpec | None = getattr(section, branch)
        where = "Normalisation" if own is None else f"Normalisation.{branch}"
        chosen = section if own is None else own
        entry = resolved_entry(chosen, where, NORMALISERS)
        return entry.factory(channels=spec.Data.channels, params=chosen.params)

    return PerBranchNormaliser(lr=make("lr"), hr=make("hr"))


def fit_normaliser(normaliser: Normaliser, datamodule: SRDataModule, spec: Spec) -> Normaliser:
    """Fit ``normaliser`` on up to ``Normalisation.fit_samples`` training samples, streamed.

    Reads the DataModule's own training dataset, so it is built once for fitting and training. A
    no-op for fixed normalisers; a resumed checkpoint later overwrites fitted statistics.
    """
    limit = spec.Normalisation.fit_samples
    normaliser.fit(DatasetSamples(datamodule.training_set(), limit=limit))
    return normaliser


def build_task(spec: Spec | ModelSpec) -> Task:
    """The task named by the ``Task`` section (``super_resolution`` when the spec has none)."""
    return resolved_entry(spec.Task, "Task", TASKS).factory(
        spatial_dims=spec.Data.spatial_dims,
        channels=spec.Data.channels,
        scale=spec.Data.scale,
        params=spec.Task.params,
    )


@runtime_checkable
class _KeyedEncoder(Protocol):
    """A text encoder that looks embeddings up by prompt or by sample id (``precomputed``)."""

    @property
    def key(self) -> str:
        """``prompt`` or ``id``."""
        ...

    def check_keys(self, keys: Iterable[str], where: str) -> None:
        """Raise a ``DataError`` naming the keys it lacks."""
        ...


@runtime_checkable
class _PromptCorpus(Protocol):
    """A dataset selector whose samples carry prompts (the prompt corpora)."""

    def prompts(self) -> list[str]:
        """Every distinct prompt."""
        ...

    def ids(self) -> list[str]:
        """Every sample id."""
        ...


def check_prompt_keys(task: Task, selector: DatasetSelector) -> None:
    """Before training: an encoder that looks prompts up by key has every prompt (or id) of the corpus.

    Raises:
        DataError: the embeddings file lacks keys, naming them, the file and the dataset.
    """
    encoder = getattr(task, "encoder", None)  # the text tasks' encoder; other tasks have none
    if not isinstance(encoder, _KeyedEncoder) or not isinstance(selector, _PromptCorpus):
        return
    keys = selector.ids() if encoder.key == "id" else selector.prompts()
    encoder.check_keys(keys, f"the dataset '{type(selector).__name__}'")


def build_generator(spec: Spec | ModelSpec) -> Generator:
    """The generator; ``Generator.pretrained`` weights are loaded strictly when set.

    When the task feeds the generator hole masks and the generator has no mask input of its own, it
    is built inside :class:`~gan_engine.generators.mask_input.MaskInput` (gap-filling SR).
    """
    section = spec.Generator
    entry = resolved_entry(section, "Generator", GENERATORS)
    if "mask" in build_task(spec).generator_needs:
        generator = with_mask_input(
            entry,
            spec.Data.spatial_dims,
            spec.Data.channels,
            spec.Data.channels,
            spec.Data.scale,
            section.params,
        )
    else:
        generator = entry.factory(
            spatial_dims=spec.Data.spatial_dims,
            in_channels=spec.Data.channels,
            out_channels=spec.Data.channels,
            scale=spec.Data.scale,
            params=section.params,
        )
    if section.pretrained is not None:
        if not isinstance(generator, nn.Module):
            msg = f"generator {type(generator).__qualname__} is not a torch.nn.Module"
            raise TypeError(msg)
        load_strict(generator, read_state_dict(section.pretrained), section.pretrained)
    return generator


def build_discriminator(spec: Spec) -> Discriminator | None:
    """The discriminator, or ``None`` for content-only training."""
    section = spec.Discriminator
    if section is None:
        return None
    entry = resolved_entry(section, "Discriminator", DISCRIMINATORS)
    return entry.factory(
        spatial_dims=spec.Data.spatial_dims, in_channels=spec.Data.channels, params=section.params
    )


def _term_names(spec: Spec) -> list[str]:
    """Log names of the loss terms: the loss name, suffixed with its index when used twice."""
    names = [term.name.rpartition(":")[2].lower() for term in spec.Losses]
    return [
        name if names.count(name) == 1 else f"{name}_{index}" for index, name in enumerate(names)
    ]


@attrs.frozen
class LossTerms:
    """The spec's loss terms, split by role."""

    content: tuple[LossTerm, ...]
    adversarial: AdversarialTerm | None


def build_loss_terms(spec: Spec) -> LossTerms:
    """Every ``Losses`` entry, built once and split by role.

    Adversarial losses (those that also define the discriminator's objective) go apart from the content
    terms.
    """
    content: list[LossTerm] = []
    adversarial: AdversarialTerm | None = None
    for index, (name, term) in enumerate(zip(_term_names(spec), spec.Losses, strict=True)):
        loss = resolved_entry(term, f"Losses.{index}", LOSSES).factory(params=term.params)
        if isinstance(loss, AdversarialLoss):
            adversarial = AdversarialTerm(
                name=name, loss=loss, weight=term.weight, schedule=term.schedule
            )
        else:
            content.append(
                LossTerm(name=name, loss=loss, weight=term.weight, schedule=term.schedule)
            )
    return LossTerms(content=tuple(content), adversarial=adversarial)


def build_selector(spec: Spec) -> DatasetSelector:
    """The dataset selector named by ``Data.dataset``; it validates its files up front.

    For a hole-filling task its samples carry the holes the task's mask generator draws.
    """
    entry = resolved_entry(spec.Data, "Data", DATASETS)
    selector = entry.factory(
        spatial_dims=spec.Data.spatial_dims,
        channels=spec.Data.channels,
        scale=spec.Data.scale,
        params=spec.Data.params,
    )
    task = build_task(spec)
    if isinstance(task, HoleFilling):
        return HoleSelector(selector, task.masks, task.mask_seed)
    return selector


def build_datamodule(
    spec: Spec, selector: DatasetSelector, degradation: DegradationPipeline | None = None
) -> SRDataModule:
    """The Lightning DataModule over the selector's datasets (and the batch degradation, if any)."""
    data = spec.Data
    workers = default_workers() if data.num_workers == "auto" else data.num_workers
    return SRDataModule(
        selector=selector,
        batch_size=data.batch_size,
        val_batch_size=data.val_batch_size,
        num_workers=workers,
        seed=spec.Training.seed,
        pin_memory=data.pin_memory,
        persistent_workers=workers > 0,
        degradation=degradation,
    )


def import_callable(path: str) -> Callable[..., Any]:
    """Import ``package.module:callable``; a bad path raises a :class:`GanEngineError` naming it."""
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        msg = f"'{path}' is not of the form package.module:callable"
        raise GanEngineError(msg)
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as error:
        msg = f"cannot import '{path}': {error}"
        raise GanEngineError(msg) from error
    if not callable(target):
        msg = f"'{path}' is not callable"
        raise GanEngineError(msg)
    return cast(Callable[..., Any], target)


def build_validation_hooks(spec: Spec) -> list[ValidationHook]:
    """The ``Callbacks.extra_validation`` hooks, imported."""
    return [import_callable(path) for path in spec.Callbacks.extra_validation]
