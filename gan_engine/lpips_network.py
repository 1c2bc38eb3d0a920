"""An ``lpips.LPIPS`` network with local weights only, for the LPIPS loss and the LPIPS metric.

``lpips.LPIPS`` is built with a random backbone (``pnet_rand=True``, which downloads nothing); the
ImageNet backbone is then read from torchvision's file in ``$TORCH_HOME/hub/checkpoints``
(``vgg16-397923af.pth`` or ``alexnet-owt-7be5be79.pth``) and the calibrated linear layers from the
files that ship inside the ``lpips`` package (``lpips/weights/v0.1/{vgg,alex}.pth``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import lpips

from gan_engine.errors import WeightsNotFoundError
from gan_engine.pretrained import load_renamed, load_state_file, resolve_weights

BACKBONE_FILES: dict[str, str] = {"vgg": "vgg16-397923af.pth", "alex": "alexnet-owt-7be5be79.pth"}
"""torchvision's ImageNet weights for each LPIPS backbone, looked up in the torch hub cache."""


def lpips_linear_weights(net: str) -> Path:
    """The calibrated linear-layer file shipped with the lpips package for ``net`` (version 0.1)."""
    path = Path(lpips.__file__).parent / "weights" / "v0.1" / f"{net}.pth"
    if not path.is_file():
        msg = (
            f"lpips: the package's linear-layer weights are missing: '{path}'. Reinstall lpips "
            f"(pip install --force-reinstall lpips) or put '{path.name}' into '{path.parent}'."
        )
        raise WeightsNotFoundError(msg)
    return path


def build_lpips(name: str, net: str, *, pretrained: bool, weights_path: str | None) -> lpips.LPIPS:
    """An ``lpips.LPIPS`` model in eval mode with local weights (see the module docstring).

    ``name`` (the loss or metric) is quoted in errors.

    Raises:
        WeightsNotFoundError: a backbone or linear-layer file is missing or does not fit.
    """
    linear = lpips_linear_weights(net)
    path = resolve_weights(
        name, BACKBONE_FILES[net], pretrained=pretrained, weights_path=weights_path
    )
    with warnings.catch_warnings():
        # lpips still calls torchvision with the deprecated `pretrained=` argument.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"torchvision(\..*)?")
        model = lpips.LPIPS(
            pretrained=True, net=net, pnet_rand=True, model_path=str(linear), verbose=False
        )
    if path is not None:
        backbone = model.net
        # lpips keeps torchvision's layer index i in its slices: `sliceK.i.weight` ← `features.i.weight`.
        keys = {key: f"features.{key.partition('.')[2]}" for key in backbone.state_dict()}
        load_renamed(name, backbone, load_state_file(name, path), keys, path)
    return model.eval()
