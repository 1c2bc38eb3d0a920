"""LPIPS perceptual loss (Zhang et al. 2018) through the ``lpips`` package, with local weights only.

``lpips.LPIPS`` is built with a random backbone (``pnet_rand=True``, which downloads nothing); the
ImageNet backbone is then read from torchvision's file in ``$TORCH_HOME/hub/checkpoints``
(``vgg16-397923af.pth`` or ``alexnet-owt-7be5be79.pth``) and the calibrated linear layers from the
files that ship inside the ``lpips`` package (``lpips/weights/v0.1/{vgg,alex}.pth``). The whole model
is frozen and held outside the loss's ``state_dict`` (:mod:`gan_engine.losses.frozen`).
"""

from __future__ import annotations

from typing import Literal, Self, TypeAlias

import attrs
import torch
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.losses.bands import select_bands
from gan_engine.losses.frozen import FrozenHolder
from gan_engine.losses.perceptual_base import BackboneInputs, check_weights_path
from gan_engine.losses.slices import over_slices
from gan_engine.lpips_network import BACKBONE_FILES, build_lpips
from gan_engine.protocols import LossContext
from gan_engine.registry import Capabilities, register_loss

LpipsNet: TypeAlias = Literal["vgg", "alex"]


@attrs.frozen(kw_only=True)
class LPIPSParams(BackboneInputs):
    """Parameters of :class:`LPIPSLoss` (and the input options of :class:`BackboneInputs`).

    Attributes:
        net: backbone, ``vgg`` (VGG16; LPIPS' authors recommend it as a training loss) or ``alex``.
        pretrained: load the backbone from ``$TORCH_HOME/hub/checkpoints`` (``vgg16-397923af.pth`` or
            ``alexnet-owt-7be5be79.pth``); false keeps a random backbone (tests). The linear layers
            always come from the lpips package.
        weights_path: an explicit backbone state-dict file (torchvision key names); needs
            ``pretrained: true``.
    """

    net: LpipsNet = attrs.field(default="vgg")
    pretrained: bool = True
    weights_path: str | None = attrs.field(default=None, validator=check_weights_path)

    @net.validator
    def _net_known(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in BACKBONE_FILES:
            raise InvalidParamError(attribute.name, f"expected 'vgg' or 'alex', got {value!r}")

    @classmethod
    def tiny(cls) -> Self:
        """AlexNet with a random backbone (no weight file), 1 slice per axis in 3D."""
        return cls(net="alex", pretrained=False, max_slices=1)


@register_loss("lpips", params=LPIPSParams, capabilities=Capabilities(min_input_size=32))
class LPIPSLoss(FrozenHolder):
    """Mean LPIPS distance between ``sr`` and ``hr``, 2D or 3D (2.5D); ≥ 0, 0 on identical inputs.

    Inputs ``[B, C, *S]`` in ``value_range`` are mapped to LPIPS' [-1, 1]; 3 bands are chosen as
    described in :mod:`gan_engine.losses.bands`. With ``context.mask``, ``sr`` is replaced by ``hr``
    at invalid pixels. Each spatial axis needs 32 pixels with AlexNet (16 with VGG16).
    """

    name = "lpips"

    def __init__(self, params: LPIPSParams | None = None) -> None:
        super().__init__()
        self.params = params or LPIPSParams()
        model = build_lpips(
            self.name,
            self.params.net,
            pretrained=self.params.pretrained,
            weights_path=self.params.weights_path,
        )
        self.freeze("lpips", model)

    def _term_2d(self, sr: Tensor, hr: Tensor) -> Tensor:
        low, high = self.params.value_range
        scale = 2.0 / (high - low)
        distance: Tensor = self.frozen("lpips")((sr - low) * scale - 1.0, (hr - low) * scale - 1.0)
        return distance.mean()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the mean LPIPS distance as a 0-dim tensor (averaged over slices in 3D)."""
        if sr.shape != hr.shape:
            msg = f"lpips: sr and hr must have the same shape, got {tuple(sr.shape)} and {tuple(hr.shape)}"
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
