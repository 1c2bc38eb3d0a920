"""One registry per component kind, filled lazily.

Built-in components register with a decorator in their own module (``@register_generator("srresnet",
...)``); the registry imports those modules on first lookup. Third-party components register the same way
in their own package and announce it through an entry point in the group ``gan_engine.<kind>s`` (for
example ``gan_engine.generators``), whose name must equal the registered name. A spec may also name
``package.module:Class``; importing the module registers the class. A module or plugin that fails to
import is recorded, not raised, so one broken plugin cannot break the others; asking for one of its names
raises an error that carries the import failure.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from typing import Any, Generic, Protocol, TypeVar

import attrs

from gan_engine.errors import ComponentNotFoundError
from gan_engine.protocols import (
    DatasetSelector,
    DegradationStage,
    Discriminator,
    Generator,
    Loss,
    MaskGenerator,
    Normaliser,
    Task,
    TextEncoder,
    ValidationMetric,
)
from gan_engine.types import SPATIAL_DIMS, ConditioningKind, SpatialDims


@attrs.frozen
class NoParams:
    """Parameters of a component that takes none."""


@attrs.frozen
class Capabilities:
    """What a component supports, for spec checks, tests, tiling and speed choices.

    Attributes:
        spatial_dims: the spatial dims the component works in.
        scales: the upscaling factors a generator supports; ``None`` means any integer ≥ 1.
        min_input_size: the smallest spatial size (per axis, in pixels or voxels) the component accepts.
        channels_last_safe: whether running in ``channels_last`` memory format gives the same result.
        receptive_field: radius in input pixels beyond which an output pixel does not depend on the input
            (a safe tiling overlap); ``None`` when unbounded or unknown.
        conditioning: the kinds of :class:`~gan_engine.types.Conditioning` the component reads
            (``mask``: a hole mask as extra input channels; ``embedding``: a global embedding;
            ``tokens``: token embeddings). Empty for unconditional components. Widths (e.g. the
            embedding size) are parameters, checked when the component is built.
        generator_needs: for tasks, the conditioning kinds the task feeds the generator; the spec
            loader refuses a generator whose ``conditioning`` lacks one of them.
        discriminator_needs: for tasks, the same for the discriminator.
        bands: for metrics, the band counts accepted without parameters (``None``: any); other
            counts need the metric's band selection (see :mod:`gan_engine.metrics.views`).
        weight_files: for metrics, the pretrained files the component reads (empty: none).
    """

    spatial_dims: frozenset[SpatialDims] = frozenset(SPATIAL_DIMS)
    scales: frozenset[int] | None = None
    min_input_size: int = 1
    channels_last_safe: bool = True
    receptive_field: int | None = None
    conditioning: frozenset[ConditioningKind] = frozenset()
    generator_needs: frozenset[ConditioningKind] = frozenset()
    discriminator_needs: frozenset[ConditioningKind] = frozenset()
    bands: frozenset[int] | None = None
    weight_files: tuple[str, ...] = ()


class GeneratorFactory(Protocol):
    """Builds a generator: ``(spatial_dims, in_channels, out_channels, scale, params)``."""

    def __call__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        out_channels: int,
        scale: int,
        params: Any,
    ) -> Generator:
        """Build the generator."""
        ...


class DiscriminatorFactory(Protocol):
    """Builds a discriminator: ``(spatial_dims, in_channels, params)``."""

    def __call__(self, spatial_dims: SpatialDims, in_channels: int, params: Any) -> Discriminator:
        """Build the discriminator."""
        ...


class LossFactory(Protocol):
    """Builds a loss term from its parameters."""

    def __call__(self, params: Any) -> Loss:
        """Build the loss term."""
        ...


class NormaliserFactory(Protocol):
    """Builds a normaliser for ``channels`` bands."""

    def __call__(self, channels: int, params: Any) -> Normaliser:
        """Build the normaliser."""
        ...


class DatasetFactory(Protocol):
    """Builds a dataset selector for the run's dims, channels and scale."""

    def __call__(
        self, spatial_dims: SpatialDims, channels: int, scale: int, params: Any
    ) -> DatasetSelector:
        """Build the dataset selector."""
        ...


class DegradationFactory(Protocol):
    """Builds a degradation stage for the run's dims and channels."""

    def __call__(self, spatial_dims: SpatialDims, channels: int, params: Any) -> DegradationStage:
        """Build the stage."""
        ...


class MaskGeneratorFactory(Protocol):
    """Builds a mask generator from its parameters."""

    def __call__(self, params: Any) -> MaskGenerator:
        """Build the mask generator."""
        ...


class TextEncoderFactory(Protocol):
    """Builds a text encoder from its parameters."""

    def __call__(self, params: Any) -> TextEncoder:
        """Build the text encoder."""
        ...


class TaskFactory(Protocol):
    """Builds a task for the run's dims, channels and scale."""

    def __call__(self, spatial_dims: SpatialDims, channels: int, scale: int, params: Any) -> Task:
        """Build the task."""
        ...


class MetricFactory(Protocol):
    """Builds a validation metric for the run's dims and channels."""

    def __call__(self, spatial_dims: SpatialDims, channels: int, params: Any) -> ValidationMetric:
        """Build the metric."""
        ...


F = TypeVar("F")


@attrs.frozen
class Entry(Generic[F]):
    """A registered component: its name, factory, parameter class and capabilities."""

    kind: str
    name: str
    factory: F
    params_cls: type[Any]
    capabilities: Capabilities
    origin: str

    @property
    def summary(self) -> str:
        """First line of the factory's docstring."""
        doc = inspect.getdoc(self.factory) or ""
        return doc.splitlines()[0] if doc else ""


class Registry(Generic[F]):
    """The components of one kind, by name."""

    def __init__(self, kind: str, builtin_modules: Iterable[str]) -> None:
        self.kind = kind
        plural = f"{kind}es" if kind.endswith("s") else f"{kind}s"
        self.entry_point_group = f"gan_engine.{plural}"
        self._builtin_modules = tuple(builtin_modules)
        self._entries: dict[str, Entry[F]] = {}
        self._broken: dict[str, str] = {}
        self._builtins_loaded = False
        self._entry_points_loaded = False
        self._loading_origin = "builtin"

    def register(
        self, name: str, *, params: type[Any] = NoParams, capabilities: Capabilities | None = None
    ) -> Callable[[F], F]:
        """Decorator registering a factory (usually a class) under ``name``."""
        if not attrs.has(params):
            msg = f"{self.kind} '{name}': params must be an attrs class, got {params!r}"
            raise TypeError(msg)

        def decorate(factory: F) -> F:
            existing = self._entries.get(name)
            if existing is not None and existing.factory is not factory:
                msg = (
                    f"{self.kind} '{name}' is registered twice: by {existing.origin} "
                    f"({_qualname(existing.factory)}) and by {_qualname(factory)}"
                )
                raise ValueError(msg)
            self._entries[name] = Entry(
                kind=self.kind,
                name=name,
                factory=factory,
                params_cls=params,
                capabilities=capabilities or Capabilities(),
                origin=self._loading_origin,
            )
            return factory

        return decorate

    def get(self, name: str) -> Entry[F]:
        """Return the entry for a registered name or a ``package.module:Class`` path."""
        self._load_builtins()
        if ":" in name:
            return self._get_by_path(name)
        if name not in self._entries:
            self._load_entry_points()
        if name in self._entries:
            return self._entries[name]
        raise ComponentNotFoundError(self._unknown_message(name))

    def names(self) -> list[str]:
        """Sorted names of every loadable component (built-ins and plugins)."""
        return [entry.name for entry in self.entries()]

    def entries(self) -> list[Entry[F]]:
        """Every loadable entry, sorted by name."""
        self._load_builtins()
        self._load_entry_points()
        return sorted(self._entries.values(), key=lambda entry: entry.name)

    def broken(self) -> dict[str, str]:
        """Modules and plugins that failed to load, with the reason."""
        self._load_builtins()
        self._load_entry_points()
        return dict(self._broken)

    def _get_by_path(self, path: str) -> Entry[F]:
        module_name, _, attr = path.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception as error:
            msg = f"cannot import '{module_name}' for {self.kind} '{path}': {error}"
            raise ComponentNotFoundError(msg) from error
        try:
            target = getattr(module, attr)
        except AttributeError:
            msg = f"module '{module_name}' has no attribute '{attr}' (from {self.kind} '{path}')"
            raise ComponentNotFoundError(msg) from None
        for entry in self._entries.values():
            if entry.factory is target:
                return entry
        register = f"register_{self.kind}"
        msg = (
            f"'{path}' is not a registered {self.kind}: decorate it with "
            f"@gan_engine.registry.{register}(name, params=..., capabilities=...)"
        )
        raise ComponentNotFoundError(msg)

    def _unknown_message(self, name: str) -> str:
        known = sorted(self._entries)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        parts = [f"unknown {self.kind} '{name}'{hint}"]
        parts.append("registered: " + (", ".join(known) if known else "none"))
        if self._broken:
            failed = "; ".join(f"{where} ({why})" for where, why in sorted(self._broken.items()))
            parts.append(f"failed to load: {failed}")
        return "; ".join(parts)

    def _load_builtins(self) -> None:
        if self._builtins_loaded:
            return
        self._builtins_loaded = True
        for module_name in self._builtin_modules:
            try:
                importlib.import_module(module_name)
            except Exception as error:  # a broken module must not hide the others
                self._broken[module_name] = f"{type(error).__name__}: {error}"

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for point in entry_points(group=self.entry_point_group):
            where = f"entry point '{point.name}' = {point.value}"
            self._loading_origin = f"plugin {point.value}"
            try:
                point.load()
            except Exception as error:  # a broken plugin must not break the others
                self._broken[where] = f"{type(error).__name__}: {error}"
                continue
            finally:
                self._loading_origin = "builtin"
            if point.name not in self._entries:
                self._broken[where] = f"it registered no {self.kind} named '{point.name}'"


def _qualname(obj: object) -> str:
    module = getattr(obj, "__module__", "?")
    name = getattr(obj, "__qualname__", repr(obj))
    return f"{module}.{name}"


GENERATORS: Registry[GeneratorFactory] = Registry(
    "generator",
    [
        "gan_engine.generators.srresnet",
        "gan_engine.generators.rrdbnet",
        "gan_engine.generators.stochastic",
        "gan_engine.generators.inpainting_unet",
        "gan_engine.generators.text_srresnet",
    ],
)
DISCRIMINATORS: Registry[DiscriminatorFactory] = Registry(
    "discriminator",
    [
        "gan_engine.discriminators.srgan",
        "gan_engine.discriminators.patchgan",
        "gan_engine.discriminators.esrgan",
        "gan_engine.discriminators.unet",
    ],
)
LOSSES: Registry[LossFactory] = Registry(
    "loss",
    [
        "gan_engine.losses.pixel",
        "gan_engine.losses.adversarial",
        "gan_engine.losses.structural",
        "gan_engine.losses.spectral",
        "gan_engine.losses.perceptual",
        "gan_engine.losses.learned_perceptual",
        "gan_engine.losses.feature_extractor",
        "gan_engine.losses.feature_matching",
        "gan_engine.losses.holes",
        "gan_engine.losses.clip_alignment",
        "gan_engine.losses.embedding_alignment",
    ],
)
NORMALISERS: Registry[NormaliserFactory] = Registry(
    "normaliser",
    [
        "gan_engine.normalisers.scale",
        "gan_engine.normalisers.statistics",
        "gan_engine.normalisers.histogram",
    ],
)
DATASETS: Registry[DatasetFactory] = Registry(
    "dataset",
    [
        "gan_engine.data.photos.selectors",
        "gan_engine.data.volumes.mri",
        "gan_engine.data.volumes.microscopy",
        "gan_engine.data.volumes.videos",
        "gan_engine.data.rasters.selectors",
        "gan_engine.data.prompts.selectors",
        "gan_engine.data.prompts.samples",
    ],
)
TASKS: Registry[TaskFactory] = Registry(
    "task",
    [
        "gan_engine.tasks.super_resolution",
        "gan_engine.tasks.inpainting",
        "gan_engine.tasks.text_super_resolution",
    ],
)
MASK_GENERATORS: Registry[MaskGeneratorFactory] = Registry(
    "mask_generator",
    [
        "gan_engine.masks.shapes",
        "gan_engine.masks.strokes",
        "gan_engine.masks.mixture",
        "gan_engine.masks.from_data",
    ],
)
DEGRADATIONS: Registry[DegradationFactory] = Registry(
    "degradation",
    [
        "gan_engine.degradations.blur",
        "gan_engine.degradations.resize",
        "gan_engine.degradations.noise",
        "gan_engine.degradations.jpeg",
        "gan_engine.degradations.target",
        "gan_engine.degradations.realesrgan",
    ],
)
TEXT_ENCODERS: Registry[TextEncoderFactory] = Registry(
    "text_encoder",
    [
        "gan_engine.text.precomputed",
        "gan_engine.text.byte_encoder",
        "gan_engine.text.open_clip_encoder",
    ],
)
METRICS: Registry[MetricFactory] = Registry(
    "metric",
    [
        "gan_engine.metrics.lpips",
        "gan_engine.metrics.dists",
        "gan_engine.metrics.distribution",
    ],
)

register_generator = GENERATORS.register
register_discriminator = DISCRIMINATORS.register
register_loss = LOSSES.register
register_normaliser = NORMALISERS.register
register_dataset = DATASETS.register
register_degradation = DEGRADATIONS.register
register_task = TASKS.register
register_mask_generator = MASK_GENERATORS.register
register_text_encoder = TEXT_ENCODERS.register
register_metric = METRICS.register

REGISTRIES: dict[str, Registry[Any]] = {
    registry.kind: registry
    for registry in (
        GENERATORS,
        DISCRIMINATORS,
        LOSSES,
        NORMALISERS,
        DATASETS,
        DEGRADATIONS,
        TASKS,
        MASK_GENERATORS,
        TEXT_ENCODERS,
        METRICS,
    )
}
"""Every registry by kind name (``generator``, ``discriminator``, ``loss``, ``normaliser``,
``dataset``, ``degradation``, ``task``, ``mask_generator``, ``text_encoder``, ``metric``)."""
