"""Small fake registries, so spec tests never depend on (or add to) the real component registries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from gan_engine.errors import InvalidParamError
from gan_engine.params import at_least, odd
from gan_engine.registry import Capabilities, NoParams, Registry
from gan_engine.types import BuildContext


@attrs.frozen
class NetParams:
    n_blocks: int = attrs.field(default=16, validator=at_least(1))
    n_features: int = attrs.field(default=48, validator=at_least(1))
    kernel_size: int = attrs.field(default=3, validator=odd())
    norm: str | None = None

    def check(self, context: BuildContext) -> Iterator[InvalidParamError]:
        if self.n_features % context.channels:
            message = (
                f"must be a multiple of the {context.channels} channels, got {self.n_features}"
            )
            yield InvalidParamError("n_features", message)


@attrs.frozen
class DiscParams:
    n_layers: int = attrs.field(default=4, validator=at_least(1))
    betas: tuple[float, float] = (0.9, 0.99)


@attrs.frozen
class ScaleParams:
    factor: float = attrs.field(default=1.0, validator=at_least(0.0))


@attrs.frozen
class PhotosParams:
    patch_size: int = 32
    images: list[str] = attrs.field(factory=list)
    colour: bool = True


def fake_registries() -> dict[str, Registry[Any]]:
    """Components: generators net (2d, x2/x4) and volnet (2d+3d), discriminator disc, losses l1 and
    bce (adversarial) and gan (adversarial), normalisers identity and scale, dataset photos."""
    registries: dict[str, Registry[Any]] = {
        kind: Registry(kind, [])
        for kind in ("generator", "discriminator", "loss", "normaliser", "dataset")
    }
    generators, losses = registries["generator"], registries["loss"]
    only_2d = Capabilities(spatial_dims=frozenset({2}), scales=frozenset({2, 4}))
    generators.register("net", params=NetParams, capabilities=only_2d)(type("Net", (), {}))
    generators.register("volnet", params=NetParams)(type("VolNet", (), {}))
    registries["discriminator"].register("disc", params=DiscParams)(type("Disc", (), {}))
    losses.register("l1")(type("L1", (), {}))
    losses.register("bce")(type("BCE", (), {"discriminator_loss": staticmethod(lambda: None)}))
    losses.register("gan")(type("GAN", (), {"discriminator_loss": staticmethod(lambda: None)}))
    registries["normaliser"].register("identity", params=NoParams)(type("Identity", (), {}))
    registries["normaliser"].register("scale", params=ScaleParams)(type("Scale", (), {}))
    registries["dataset"].register("photos", params=PhotosParams)(type("Photos", (), {}))
    return registries


@pytest.fixture
def registries() -> dict[str, Registry[Any]]:
    return fake_registries()


GOOD = """\
Data:
  dataset: photos
  params:
    patch_size: 48
  channels: 3
  scale: 4
Generator:
  name: net
  params:
    n_blocks: 4
    n_features: 48
Discriminator:
  name: disc
Losses:
  - name: l1
  - name: bce
    weight: 0.001
Trainer:
  max_steps: 10
"""


@pytest.fixture
def good_yaml() -> str:
    return GOOD


@pytest.fixture
def problems(registries: dict[str, Registry[Any]]) -> Any:
    """``problems(text, *overrides)``: the lines of the SpecError loading ``text`` as ``s.yaml``."""
    from containers.spec import SpecError, load_spec_text

    def load(text: str, *overrides: str) -> list[str]:
        with pytest.raises(SpecError) as caught:
            load_spec_text(text, "s.yaml", overrides, registries=registries)
        return str(caught.value).splitlines()

    return load
