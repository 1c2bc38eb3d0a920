"""Small stage parameters that keep every registered stage fast in 2D and 3D."""

from __future__ import annotations

from typing import Any

import attrs

from gan_engine.degradations.blur import BlurParams, SincParams
from gan_engine.degradations.realesrgan import RealESRGANParams, RoundParams
from gan_engine.degradations.resize import ResizeParams, ResizeTargetParams
from gan_engine.registry import DEGRADATIONS, Entry
from gan_engine.types import SpatialDims

MODES: dict[int, dict[str, float]] = {
    2: {"area": 0.25, "bilinear": 0.25, "bicubic": 0.25, "nearest": 0.25},
    3: {"area": 0.5, "trilinear": 0.5},
}


def small_params(entry: Entry[Any], dims: SpatialDims) -> Any:
    """Parameters of ``entry`` valid in ``dims`` with kernels small enough for quick tests."""
    modes = MODES[dims]
    blur = BlurParams(kernel_size=(3, 7))
    if entry.name == "blur":
        return blur
    if entry.name == "sinc":
        return SincParams(kernel_size=(3, 7))
    if entry.name == "resize":
        return ResizeParams(modes=modes)
    if entry.name == "resize_target":
        return ResizeTargetParams(modes=modes)
    if entry.name == "pool":
        return entry.params_cls(queue_size=4)
    if entry.name == "realesrgan":
        first = RoundParams(blur=blur, resize=ResizeParams(modes=modes))
        second = attrs.evolve(
            RealESRGANParams().second,
            blur=attrs.evolve(RealESRGANParams().second.blur, kernel_size=(3, 7)),
            resize=attrs.evolve(RealESRGANParams().second.resize, modes=modes),
        )
        return RealESRGANParams(
            first=first,
            second=second,
            final_sinc=SincParams(kernel_size=(3, 7)),
            final_resize=ResizeTargetParams(modes=modes),
        )
    return entry.params_cls()


def build(name: str, dims: SpatialDims, channels: int, params: Any = None) -> Any:
    """Build registered stage ``name`` (small parameters unless given)."""
    entry = DEGRADATIONS.get(name)
    return entry.factory(dims, channels, small_params(entry, dims) if params is None else params)
