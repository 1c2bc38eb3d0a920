"""Random backbone weights saved under torchvision's file names in a temporary ``TORCH_HOME``.

Nothing is downloaded: the tensors come from torchvision's own constructors with random weights.
Only the ``features.*`` tensors are written (the losses never read the classifier), plus one small
classifier tensor standing in for the rest, so files stay small and loads fast. VGG19's ``features``
are built with ``torchvision.models.vgg.make_layers(cfgs["E"])``, which is exactly what
``torchvision.models.vgg19(weights=None).features`` is, without initialising the 120M-parameter
classifier.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torchvision
from torch import Tensor

VGG19_FILE = "vgg19-dcbb9e9d.pth"
VGG16_FILE = "vgg16-397923af.pth"
ALEXNET_FILE = "alexnet-owt-7be5be79.pth"


def features_only(state: dict[str, Tensor]) -> dict[str, Tensor]:
    kept = {key: value for key, value in state.items() if key.startswith("features.")}
    kept["classifier.6.bias"] = torch.zeros(1000)
    return kept


def _vgg19() -> dict[str, Tensor]:
    features = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs["E"])
    return features_only({f"features.{key}": value for key, value in features.state_dict().items()})


def _alexnet() -> dict[str, Tensor]:
    return features_only(torchvision.models.alexnet(weights=None).state_dict())


def write_weight_files(
    home: Path, names: tuple[str, ...] = (VGG19_FILE, ALEXNET_FILE)
) -> dict[str, dict[str, Tensor]]:
    """Write the named files into ``home/hub/checkpoints``; return what each holds."""
    folder = home / "hub" / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    builders = {VGG19_FILE: _vgg19, ALEXNET_FILE: _alexnet}
    states = {name: builders[name]() for name in names}
    for name, state in states.items():
        torch.save(state, folder / name)
    return states
