"""A convolution of a pixel-shuffled map, computed at the map's low resolution.

``conv(pixel_shuffle(z, r), w)`` with a ``k``-tap kernel equals ``pixel_shuffle(conv(z, w'), r)``,
where ``w'`` has ``r**d`` times the input and output channels and ``k' = 2 * ceil((k // 2) / r) + 1``
taps: each output phase of the fine grid reads a fixed set of phases of the coarse one (the
sub-pixel convolution identity). Zero padding matches exactly: a fine pixel lies outside the map
exactly when its coarse pixel does.

The second form is the faster one when the first convolution has few output channels (an SR
network's last layer: 1 to 4 bands). CPU and GPU convolution kernels vectorise over output
channels, so a 64→4 convolution costs about as much as 64→16; with ``r**d`` times the output
channels the second form fills those lanes, skips materialising the shuffled map, and shuffles
only the few-channel result. For a 9×9 64→4 tail after a ×2 stage it is 3.3× faster on the
benchmark CPU (BENCHMARKS.md). :func:`shuffled_conv_pays` is the cost model that picks the form.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import Tensor
from torch.nn import functional

from gan_engine.nn.pixel_shuffle import pixel_shuffle

VECTOR_CHANNELS = 16
"""Output channels below which a convolution kernel costs as much as with this many (fp32 lanes)."""


def _coarse_radius(kernel_size: int, scale: int) -> int:
    """Taps either side, on the coarse grid, that a ``kernel_size`` kernel on the fine grid reads."""
    return math.ceil((kernel_size // 2) / scale)


def shuffled_conv_pays(kernel_size: int, out_channels: int, scale: int, dims: int) -> bool:
    """Whether :func:`shuffled_conv` is cheaper than shuffling, then convolving.

    Cost per fine output pixel and input channel, counting output channels below
    :data:`VECTOR_CHANNELS` as that many: ``k**d * max(O, 16)`` directly against
    ``k'**d * max(O * r**d, 16)`` in the coarse form. It pays for large kernels with few output
    channels (9×9 to 4 bands: 3.2× cheaper), not for 3×3 kernels (the coarse form does 4× the
    multiply-adds at ×2 in 2D, which only ties when the outputs are very few).
    """
    coarse = 2 * _coarse_radius(kernel_size, scale) + 1
    direct = math.prod([kernel_size] * dims) * max(out_channels, VECTOR_CHANNELS)
    fused = math.prod([coarse] * dims) * max(
        out_channels * math.prod([scale] * dims), VECTOR_CHANNELS
    )
    return fused < direct


def coarse_kernel(weight: Tensor, scale: int) -> Tensor:
    """The kernel ``w'`` with ``conv(z, w')`` shuffled by ``scale`` equal to ``conv(shuffle(z), w)``.

    ``weight[O, C, k, ..., k]`` (odd ``k``, ``d`` spatial axes) → ``[O * r**d, C * r**d, k', ...]``.
    Output channel ``o * r**d + q`` is output phase ``q`` of channel ``o`` and input channel
    ``c * r**d + a`` is phase ``a`` of channel ``c``, phases in :func:`pixel_shuffle`'s row-major
    order. Differentiable in ``weight``: a network can keep ``w`` as its parameter.
    """
    # ints, not the tensors a trace gives for shapes: the kernel's shape is fixed by the module
    out_channels, in_channels, *kernel = (int(size) for size in weight.shape)
    dims = len(kernel)
    if len(set(kernel)) != 1 or kernel[0] % 2 != 1:
        msg = f"coarse_kernel needs an odd cubic kernel, got spatial shape {tuple(kernel)}"
        raise ValueError(msg)
    size = kernel[0]
    radius = _coarse_radius(size, scale)
    coarse = 2 * radius + 1
    span = scale * coarse
    # fine tap t of output phase s reads coarse offset m and input phase a with
    # s + t - k // 2 = m * r + a: placing w at s - k // 2 + r * radius in a zero kernel of
    # r * k' taps, index m' * r + a (m' = m + radius) is then exactly that tap
    split = [axis for _ in range(dims) for axis in (coarse, scale)]
    order = [2 + 2 * i + 1 for i in range(dims)] + [2 + 2 * i for i in range(dims)]
    phases = []
    for phase in itertools.product(range(scale), repeat=dims):
        pad: list[int] = []
        for offset in reversed([s - size // 2 + scale * radius for s in phase]):
            pad += [offset, span - offset - size]
        placed = functional.pad(weight, pad).reshape(out_channels, in_channels, *split)
        phases.append(placed.permute(0, 1, *order))
    return torch.stack(phases, dim=1).reshape(
        out_channels * scale**dims, in_channels * scale**dims, *([coarse] * dims)
    )


def shuffled_conv(z: Tensor, weight: Tensor, bias: Tensor | None, scale: int) -> Tensor:
    """``conv(pixel_shuffle(z, scale), weight, bias)`` with "same" padding, at ``z``'s resolution.

    ``z[B, C * r**d, *S]``, ``weight[O, C, k, ...]`` (odd ``k``) → ``[B, O, *(S * r)]``; equal to
    the direct form up to float rounding, and channels-last when ``z`` is.
    """
    dims = z.ndim - 2
    if dims not in (2, 3) or weight.ndim != z.ndim:
        msg = (
            f"shuffled_conv expects z [B, C, *S] and weight [O, C, *K] with 2 or 3 spatial axes, "
            f"got {tuple(z.shape)} and {tuple(weight.shape)}"
        )
        raise ValueError(msg)
    block = scale**dims
    if z.shape[1] != weight.shape[1] * block:
        msg = (
            f"shuffled_conv: z has {z.shape[1]} channels, the kernel reads {weight.shape[1]} after "
            f"a x{scale} shuffle, i.e. {weight.shape[1] * block} before it"
        )
        raise ValueError(msg)
    kernel = coarse_kernel(weight, scale)
    coarse_bias = None if bias is None else bias.repeat_interleave(block)
    padding = _coarse_radius(weight.shape[-1], scale)
    convolve = functional.conv2d if dims == 2 else functional.conv3d
    return pixel_shuffle(convolve(z, kernel, coarse_bias, padding=padding), scale)
