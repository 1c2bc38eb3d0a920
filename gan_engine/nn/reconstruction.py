"""The upsampling part of an SR network as a list of layers, run in its plain or inference form.

An SR generator ends with layers that upsample the body's features: sub-pixel stages
(:class:`~gan_engine.nn.pixel_shuffle.SubpixelUpsample`), nearest-neighbour upsampling followed by a
convolution, activations, HR convolutions. :func:`reconstruct` runs such a list of layers:

- **coarse tail** (always, when it pays): ``[..., SubpixelUpsample, activation, conv]`` with a
  large tail kernel to few bands (:func:`~gan_engine.nn.shuffled_conv.shuffled_conv_pays`) runs
  the tail at the stage's input resolution on an equivalent kernel, so only the few-channel output
  is shuffled: same parameters, same values up to float rounding;
- **in place** (inference form): activations write into the layer outputs before them
  (:mod:`gan_engine.nn.inference_forms`);
- **bands** (inference form): the layers run over bands of the input
  (:func:`~gan_engine.nn.banded.banded`) with their receptive field as context, read off the
  layers themselves by :func:`reach`, so the ``scale**d`` times larger maps never exist for a
  whole tile at once. Layers whose reach is unknown run unbanded.

Generators call it with their ``inference_form`` flag (:class:`~gan_engine.nn.inference_forms.
InferenceForms`); a generator that does not is simply computed as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeGuard

from torch import Tensor, nn

from gan_engine.nn.banded import banded
from gan_engine.nn.inference_forms import activate_, run_layers
from gan_engine.nn.interpolate import NearestUpsample
from gan_engine.nn.pixel_shuffle import PixelShuffle, SubpixelUpsample
from gan_engine.nn.receptive import SpanMap, chain, conv_span, identity, nearest_up_span, radius
from gan_engine.nn.shuffled_conv import shuffled_conv, shuffled_conv_pays

POINTWISE = (nn.PReLU, nn.ReLU, nn.LeakyReLU, nn.GELU, nn.Identity)
"""Layers that read only their own pixel (per-channel PReLUs included)."""


def same_padded(layer: nn.Module) -> TypeGuard[nn.Conv2d | nn.Conv3d]:
    """Whether ``layer`` is a plain stride-1 convolution with zero "same" padding."""
    if not isinstance(layer, nn.Conv2d | nn.Conv3d):
        return False
    dims = len(layer.kernel_size)
    return (
        layer.padding == tuple(size // 2 for size in layer.kernel_size)
        and layer.stride == (1,) * dims
        and layer.dilation == (1,) * dims
        and layer.groups == 1
        and layer.padding_mode == "zeros"
    )


def elementwise(activation: nn.Module) -> bool:
    """Whether ``activation`` acts on each value alone (so it commutes with a pixel shuffle)."""
    if isinstance(activation, nn.PReLU):
        return activation.num_parameters == 1
    return isinstance(activation, nn.ReLU | nn.LeakyReLU | nn.GELU)


def layer_span(layer: nn.Module) -> tuple[SpanMap, int] | None:
    """``(span map along the first spatial axis, upscaling factor)`` of ``layer``; None if unknown."""
    if isinstance(layer, SubpixelUpsample):
        if not same_padded(layer.conv):
            return None
        return chain(conv_span(layer.conv.kernel_size[0] // 2), nearest_up_span(layer.scale)), (
            layer.scale
        )
    if isinstance(layer, NearestUpsample):
        return nearest_up_span(layer.factor), layer.factor
    if isinstance(layer, PixelShuffle):
        return nearest_up_span(layer.scale), layer.scale
    if same_padded(layer):
        return conv_span(layer.kernel_size[0] // 2), 1
    if isinstance(layer, POINTWISE):
        return identity(), 1
    return None


def reach(layers: Sequence[nn.Module]) -> tuple[int, int] | None:
    """``(receptive-field radius in input pixels, upscaling factor)`` of ``layers``; None if unknown."""
    spans: list[SpanMap] = []
    factor = 1
    for layer in layers:
        found = layer_span(layer)
        if found is None:
            return None
        spans.append(found[0])
        factor *= found[1]
    return radius(chain(*spans), factor), factor


def reconstruct(layers: Sequence[nn.Module], features: Tensor, *, inference: bool) -> Tensor:
    """``layers`` applied in order to ``features``, in the inference form when ``inference``.

    Args:
        layers: the upsampling path, input side first (their modules stay registered where the
            generator keeps them; this list only orders them).
        features: the body's output ``[B, C, *S]``; never written.
        inference: run activations in place and the layers in bands (call it with the
            generator's ``inference_form`` flag, and only without autograd).
    """
    if not inference:
        return _run(layers, features, in_place=False)
    found = reach(layers)
    if found is None:
        return _run(layers, features, in_place=True)
    halo, factor = found

    def run(band: Tensor) -> Tensor:
        return _run(layers, band, in_place=True)

    return banded(run, features, scale=factor, halo=halo)


def _run(layers: Sequence[nn.Module], features: Tensor, *, in_place: bool) -> Tensor:
    """:func:`reconstruct` on the whole of ``features``, with the coarse tail when it pays."""
    coarse = _coarse_tail(layers)
    if coarse is None:
        return run_layers(layers, features, in_place=in_place)
    stage, activation, tail = coarse
    x = stage.conv(run_layers(layers[:-3], features, in_place=in_place))
    x = activate_(activation, x) if in_place else activation(x)
    return shuffled_conv(x, tail.weight, tail.bias, stage.scale)


def _coarse_tail(
    layers: Sequence[nn.Module],
) -> tuple[SubpixelUpsample, nn.Module, nn.Conv2d | nn.Conv3d] | None:
    """The last sub-pixel stage, its activation and the tail, when the tail pays to run coarse."""
    if len(layers) < 3:
        return None
    stage, activation, tail = layers[-3:]
    if (
        isinstance(stage, SubpixelUpsample)
        and same_padded(tail)
        and elementwise(activation)
        and shuffled_conv_pays(
            tail.kernel_size[0], tail.out_channels, stage.scale, len(tail.kernel_size)
        )
    ):
        return stage, activation, tail
    return None
