from __future__ import annotations

from pathlib import Path

import torch
from dependency_injector import providers
from torch import Tensor, nn

from containers.application import ApplicationContainer
from containers.spec.loader import load_spec


class NearestGenerator(nn.Module):
    """A user's own generator: nearest-neighbour upsampling plus one learnable gain."""

    spatial_dims = 2

    def __init__(self, channels: int, scale: int) -> None:
        super().__init__()
        self.in_channels = self.out_channels = channels
        self.scale = scale
        self.gain = nn.Parameter(torch.ones(()))

    def forward(self, lr: Tensor, cond: Tensor | None = None) -> Tensor:
        up = nn.functional.interpolate(lr, scale_factor=self.scale, mode="nearest")
        return self.gain * up


def test_a_provider_override_swaps_the_generator_in_a_real_fit(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path
) -> None:
    spec = load_spec(quickstart, fast_overrides)
    app = ApplicationContainer(spec=spec, run_dir=tmp_path / "run")
    mine = NearestGenerator(channels=3, scale=4)
    app.components.generator.override(providers.Object(mine))

    module = app.training.module()
    assert module.generator is mine
    app.training.trainer().fit(module, datamodule=app.data.datamodule())
    assert module.generator_steps == 2
    assert mine.gain.item() != 1.0  # the injected generator is the one that was trained


def test_providers_are_singletons_shared_across_containers(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path
) -> None:
    spec = load_spec(quickstart, fast_overrides)
    app = ApplicationContainer(spec=spec, run_dir=tmp_path / "run")
    module = app.training.module()
    assert module.generator is app.components.generator()
    assert module.data_range == app.data.selector().data_range == 255.0


def test_a_fitted_normaliser_is_fitted_on_training_data_before_training(
    quickstart: Path, fast_overrides: list[str], tmp_path: Path
) -> None:
    overrides = [*fast_overrides, "Normalisation.name=zscore", "Normalisation.params={}"]
    spec = load_spec(quickstart, overrides)
    app = ApplicationContainer(spec=spec, run_dir=tmp_path / "run")
    module = app.training.module()
    state = module.normaliser.state_dict()
    fitted = [key for key in state if key.endswith("fitted")]
    assert fitted
    assert all(bool(state[key].all()) for key in fitted)
    datamodule = app.data.datamodule()
    fitted_on = datamodule.train_set
    assert fitted_on is not None  # built once, for fitting ...
    app.training.trainer().fit(module, datamodule=datamodule)
    assert datamodule.train_set is fitted_on  # ... and reused for training
    assert module.generator_steps == 2


def test_the_datamodule_loads_with_workers_by_default(quickstart: Path, tmp_path: Path) -> None:
    from gan_engine.data.datamodule import default_workers

    spec = load_spec(quickstart)
    assert spec.Data.num_workers == "auto"
    datamodule = ApplicationContainer(spec=spec, run_dir=tmp_path).data.datamodule()
    assert datamodule.num_workers == default_workers() >= 1
    assert datamodule.persistent_workers
    pinned = load_spec(quickstart, ["Data.num_workers=0"])
    assert ApplicationContainer(spec=pinned, run_dir=tmp_path).data.datamodule().num_workers == 0
