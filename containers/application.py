"""Dependency-injection containers: one per concern, plus the application container.

Every component is a provider that users can override without touching the training loop::

    app = ApplicationContainer(spec=spec, run_dir=Path("runs/x"))
    app.components.generator.override(providers.Object(my_generator))
    trainer = app.training.trainer()

The sub-containers receive the spec with ``Training.precision``/``channels_last: auto`` resolved for
the Trainer's device (``app.hardware()``: the resolved spec and the reason for the choice).
"""

from __future__ import annotations

from pathlib import Path

from dependency_injector import containers, providers

from containers import builders, trainer_builders
from containers.degradation_builders import build_degradation
from containers.hardware import resolve_spec
from containers.metric_builders import build_metrics
from containers.spec.resolved import spec_to_dict
from containers.spec.schema import Spec
from gan_engine.training.module import GANModule


class ComponentsContainer(containers.DeclarativeContainer):
    """The task, networks, losses, the normaliser and the validation metrics."""

    spec = providers.Dependency(instance_of=Spec)
    task = providers.Singleton(builders.build_task, spec)
    normaliser = providers.Singleton(builders.build_normaliser, spec)
    generator = providers.Singleton(builders.build_generator, spec)
    discriminator = providers.Singleton(builders.build_discriminator, spec)
    loss_terms = providers.Singleton(builders.build_loss_terms, spec)
    metrics = providers.Singleton(build_metrics, spec)


class DataContainer(containers.DeclarativeContainer):
    """The dataset selector, the batch degradation pipeline and the DataModule over them."""

    spec = providers.Dependency(instance_of=Spec)
    selector = providers.Singleton(builders.build_selector, spec)
    degradation = providers.Singleton(build_degradation, spec, selector)
    datamodule = providers.Singleton(builders.build_datamodule, spec, selector, degradation)


class TrainingContainer(containers.DeclarativeContainer):
    """The Lightning module, its callbacks, the logger and the Trainer."""

    spec = providers.Dependency(instance_of=Spec)
    run_dir = providers.Dependency(instance_of=Path)
    components = providers.DependenciesContainer()
    data = providers.DependenciesContainer()

    normaliser = providers.Singleton(
        builders.fit_normaliser, components.normaliser, data.datamodule, spec
    )
    module = providers.Singleton(
        GANModule,
        generator=components.generator,
        discriminator=components.discriminator,
        content_terms=components.loss_terms.provided.content,
        adversarial_term=components.loss_terms.provided.adversarial,
        normaliser=normaliser,
        config=spec.provided.Training,
        data_range=data.selector.provided.data_range,
        spec=providers.Callable(spec_to_dict, spec),
        task=components.task,
        conditioning=spec.provided.Normalisation.conditioning,
        metrics=components.metrics,
    )
    validation_hooks = providers.Singleton(builders.build_validation_hooks, spec)
    callbacks = providers.Singleton(
        trainer_builders.build_callbacks, spec, run_dir, data.selector, validation_hooks
    )
    logger = providers.Singleton(trainer_builders.build_logger, spec, run_dir)
    trainer = providers.Singleton(trainer_builders.build_trainer, spec, run_dir, callbacks, logger)


class ApplicationContainer(containers.DeclarativeContainer):
    """Everything a training run needs, from a validated spec and a run directory."""

    spec = providers.Dependency(instance_of=Spec)
    run_dir = providers.Dependency(instance_of=Path)
    hardware = providers.Singleton(resolve_spec, spec)
    resolved_spec = hardware.provided.spec
    components = providers.Container(ComponentsContainer, spec=resolved_spec)
    data = providers.Container(DataContainer, spec=resolved_spec)
    training = providers.Container(
        TrainingContainer, spec=resolved_spec, run_dir=run_dir, components=components, data=data
    )
