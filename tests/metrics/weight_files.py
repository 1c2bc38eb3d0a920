"""Random weights for the validation metrics, saved under the file names they look up.

VGG16 (DISTS' backbone) comes from torchvision's ``make_layers(cfgs["D"])``, which is exactly
``vgg16(weights=None).features``; Inception-v3 from torch-fidelity's own class, built without
its weight download. Nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torchvision
from torch import Tensor

from gan_engine.metrics.distribution import INCEPTION_FILE
from gan_engine.metrics.dists import BACKBONE_FILE
from tests.losses.weight_files import ALEXNET_FILE, write_weight_files


def vgg16_features() -> dict[str, Tensor]:
    """Random VGG16 ``features.*`` tensors (torchvision key names)."""
    torch.manual_seed(1)
    layers = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs["D"])
    return {f"features.{key}": value for key, value in layers.state_dict().items()}


def inception_state() -> dict[str, Tensor]:
    """A random state dict of torch-fidelity's Inception-v3 (its key names and shapes)."""
    from torch_fidelity import feature_extractor_inceptionv3 as module

    class Unloaded(module.FeatureExtractorInceptionV3):  # type: ignore[misc]
        def load_state_dict(self, *args: Any, **kwargs: Any) -> Any:
            return None

    original = module.load_state_dict_from_url
    module.load_state_dict_from_url = lambda *args, **kwargs: {}
    try:
        torch.manual_seed(2)
        network = Unloaded("inception-v3-compat", ["2048"])
    finally:
        module.load_state_dict_from_url = original
    # Calibrate the batch norms on random images so that features neither vanish nor explode
    # (an untrained network's activations shrink by orders of magnitude through 90 layers).
    for layer in network.modules():
        if isinstance(layer, torch.nn.BatchNorm2d):
            layer.momentum = None
    network.train()
    with torch.no_grad():
        network(torch.randint(0, 256, (4, 3, 64, 64), dtype=torch.uint8))
    return {key: value.clone() for key, value in network.state_dict().items()}


def write_metric_weights(home: Path, *, inception: bool = False) -> Path:
    """AlexNet, VGG16 (and Inception-v3) in ``home/hub/checkpoints``; returns that folder."""
    folder = home / "hub" / "checkpoints"
    write_weight_files(home, (ALEXNET_FILE,))
    torch.save(vgg16_features(), folder / BACKBONE_FILE)
    if inception:
        torch.save(inception_state(), folder / INCEPTION_FILE)
    return folder
