"""VGG19 perceptual loss (Johnson et al. 2016; SRGAN, ESRGAN): distances between VGG feature maps.

The backbone is torchvision's VGG19 ``features`` truncated after the deepest layer used (the
classifier is never built), frozen, in eval mode, held outside the loss's ``state_dict``
(:mod:`gan_engine.losses.frozen`). Pretrained weights come only from a local file. 3D inputs are
handled 2.5D (:mod:`gan_engine.losses.slices`), multi-band inputs through band selection
(:mod:`gan_engine.losses.bands`).
"""

from __future__ import annotations

from typing import Any, Self

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.losses.bands import select_bands
from gan_engine.losses.frozen import FrozenHolder
from gan_engine.losses.perceptual_base import (
    BackboneInputs,
    Criterion,
    check_criterion,
    check_weights_path,
    feature_distance,
)
from gan_engine.losses.slices import over_slices
from gan_engine.pretrained import load_renamed, load_state_file, resolve_weights
from gan_engine.protocols import LossContext
from gan_engine.registry import Capabilities, register_loss

VGG19_FILE = "vgg19-dcbb9e9d.pth"
"""torchvision's ImageNet VGG19 weights, looked up in ``$TORCH_HOME/hub/checkpoints``."""

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

_BLOCKS = ((64, 2), (128, 2), (256, 4), (512, 4), (512, 4))
"""VGG19 (configuration "E"): (width, convolutions) per block, each block followed by a max-pool."""


def _vgg19_layout() -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Layer names → index in ``torchvision.models.vgg19().features``, and the layer list.

    ``convB_I`` is the I-th convolution of block B, ``reluB_I`` its activation, ``poolB`` the pool.
    """
    names: dict[str, int] = {}
    layers: list[tuple[str, int]] = []  # (kind, output width)
    for block, (width, count) in enumerate(_BLOCKS, start=1):
        for conv in range(1, count + 1):
            names[f"conv{block}_{conv}"] = len(layers)
            layers.append(("conv", width))
            names[f"relu{block}_{conv}"] = len(layers)
            layers.append(("relu", width))
        names[f"pool{block}"] = len(layers)
        layers.append(("pool", width))
    return names, layers


VGG19_LAYERS, _LAYOUT = _vgg19_layout()
"""Every VGG19 feature layer name (``conv1_1`` … ``relu5_4``, ``pool1`` … ``pool5``) → its index."""


class VGG19Features(nn.Module):
    """torchvision's VGG19 ``features`` up to layer index ``last`` (inclusive), with its key names.

    ``forward(x[N, 3, H, W] in [0, 1])`` applies ImageNet mean/std normalisation and returns the
    outputs at the requested indices. ReLUs are not in-place, so a ``convB_I`` output stays intact.
    """

    def __init__(self, last: int) -> None:
        super().__init__()
        modules: list[nn.Module] = []
        in_width = 3
        for kind, width in _LAYOUT[: last + 1]:
            if kind == "conv":
                modules.append(nn.Conv2d(in_width, width, kernel_size=3, padding=1))
                in_width = width
            elif kind == "relu":
                modules.append(nn.ReLU(inplace=False))
            else:
                modules.append(nn.MaxPool2d(kernel_size=2, stride=2))
        self.features = nn.Sequential(*modules)
        self.mean: Tensor
        self.std: Tensor
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).reshape(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).reshape(1, 3, 1, 1))

    def forward(self, x: Tensor, indices: frozenset[int]) -> dict[int, Tensor]:
        """Feature maps at ``indices`` of ``x[N, 3, H, W]`` with values in [0, 1]."""
        x = (x - self.mean) / self.std
        outputs: dict[int, Tensor] = {}
        for index, module in enumerate(self.features):
            x = module(x)
            if index in indices:
                outputs[index] = x
        return outputs


def _check_layers(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise InvalidParamError(
            attribute.name, f"expected a non-empty mapping layer → weight, got {value!r}"
        )
    for name, weight in value.items():
        if name not in VGG19_LAYERS:
            known = ", ".join(VGG19_LAYERS)
            key = f"{attribute.name}.{name}"
            raise InvalidParamError(key, f"unknown VGG19 layer; known: {known}")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            key = f"{attribute.name}.{name}"
            raise InvalidParamError(key, f"weight must be >= 0, got {weight!r}")


def _default_layers() -> dict[str, float]:
    return {"conv5_4": 1.0}


@attrs.frozen(kw_only=True)
class VGGParams(BackboneInputs):
    """Parameters of :class:`VGGLoss` (and the input options of :class:`BackboneInputs`).

    Attributes:
        layers: VGG19 layer → weight; the loss is ``Σ weight · distance`` over them. Names are
            ``convB_I`` (before the activation), ``reluB_I`` or ``poolB``. The default ``conv5_4`` is
            ESRGAN's (pre-activation features keep more information than SRGAN's ``relu5_4``).
        criterion: distance between feature maps, ``l1`` (ESRGAN) or ``l2`` (mean squared).
        pretrained: load ``vgg19-dcbb9e9d.pth`` from ``$TORCH_HOME/hub/checkpoints``; false gives a
            random backbone (tests, ablations).
        weights_path: an explicit VGG19 state-dict file (torchvision key names) instead of the cache;
            needs ``pretrained: true``.
    """

    layers: dict[str, float] = attrs.field(factory=_default_layers, validator=_check_layers)
    criterion: Criterion = attrs.field(default="l1", validator=check_criterion)
    pretrained: bool = True
    weights_path: str | None = attrs.field(default=None, validator=check_weights_path)

    @classmethod
    def tiny(cls) -> Self:
        """A random backbone cut after ``relu1_2``: no weight file, any input size, 2 slices per axis."""
        return cls(layers={"relu1_2": 1.0}, pretrained=False, max_slices=2)


@register_loss("vgg", params=VGGParams, capabilities=Capabilities(min_input_size=16))
class VGGLoss(FrozenHolder):
    """Weighted distance between VGG19 features of ``sr`` and ``hr``, 2D or 3D (2.5D).

    Inputs ``[B, C, *S]`` in ``value_range``; 3 bands are chosen as described in
    :mod:`gan_engine.losses.bands`. With ``context.mask``, ``sr`` is replaced by ``hr`` at invalid
    pixels so they add no difference and no gradient. Every spatial axis needs ``2^p`` pixels for ``p``
    pooling layers before the deepest layer used (16 for ``conv5_4``). Raises
    :class:`~gan_engine.errors.WeightsNotFoundError` at construction when the weights are missing.
    """

    name = "vgg"

    def __init__(self, params: VGGParams | None = None) -> None:
        super().__init__()
        self.params = params or VGGParams()
        self._indices = {VGG19_LAYERS[name]: weight for name, weight in self.params.layers.items()}
        path = resolve_weights(  # before building anything: a missing file fails fast
            self.name,
            VGG19_FILE,
            pretrained=self.params.pretrained,
            weights_path=self.params.weights_path,
        )
        network = VGG19Features(max(self._indices))
        if path is not None:
            # features[i] here is torchvision's features[i]: read its `features.{i}.*` tensors.
            keys = {key: f"features.{key}" for key in network.features.state_dict()}
            load_renamed(self.name, network.features, load_state_file(self.name, path), keys, path)
        self.freeze("vgg19", network)

    @property
    def backbone(self) -> VGG19Features:
        """The frozen, truncated VGG19 (not part of ``state_dict`` or ``parameters``)."""
        network = self.frozen("vgg19")
        if not isinstance(network, VGG19Features):
            msg = f"vgg: held network is a {type(network).__name__}, expected VGG19Features"
            raise TypeError(msg)
        return network

    def _term_2d(self, sr: Tensor, hr: Tensor) -> Tensor:
        low, high = self.params.value_range
        scale = 1.0 / (high - low)
        wanted = frozenset(self._indices)
        features_sr = self.backbone((sr - low) * scale, wanted)
        with torch.no_grad():
            features_hr = self.backbone((hr - low) * scale, wanted)
        terms = [
            weight * feature_distance(self.params.criterion, features_sr[index], features_hr[index])
            for index, weight in self._indices.items()
        ]
        return torch.stack(terms).sum()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return ``Σ_layers weight · distance`` as a 0-dim tensor (averaged over slices in 3D)."""
        if sr.shape != hr.shape:
            msg = f"vgg: sr and hr must have the same shape, got {tuple(sr.shape)} and {tuple(hr.shape)}"
            raise ValueError(msg)
        if context.mask is not None:
            sr = torch.where(context.mask.to(torch.bool), sr, hr)
        sr, hr = select_bands(
            self.name,
            sr,
            hr,
            channels=self.params.channels,
            random_channels=self.params.random_channels,
            count=3,
        )
        return over_slices(self._term_2d, sr, hr, self.params.max_slices)
