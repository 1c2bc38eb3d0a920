"""The residual block of SRResNet-style bodies, for any spatial dims."""

from __future__ import annotations

from torch import Tensor, nn

from gan_engine.nn.activation import ActivationKind, make_activation
from gan_engine.nn.inference_forms import InferenceForms, add_scaled, run_layers
from gan_engine.nn.layers import conv
from gan_engine.nn.norm import NormKind, make_norm
from gan_engine.types import SpatialDims


class ResidualBlock(InferenceForms):
    """``x + residual_scale * (conv → norm → act → conv → norm)(x)``; keeps ``[B, C, *S]``.

    Args:
        spatial_dims: 2 or 3.
        channels: input and output channels ``C``.
        kernel_size: odd kernel size of both convolutions ("same" padding).
        norm: normalisation after each convolution.
        activation: activation between the convolutions.
        residual_scale: factor on the residual branch (< 1 stabilises deep bodies, as in ESRGAN).
    """

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        *,
        kernel_size: int = 3,
        norm: NormKind = "none",
        activation: ActivationKind = "prelu",
        residual_scale: float = 1.0,
    ) -> None:
        super().__init__()
        if channels < 1:
            msg = f"ResidualBlock: channels must be >= 1, got {channels}"
            raise ValueError(msg)
        if kernel_size < 1 or kernel_size % 2 != 1:
            msg = f"ResidualBlock: kernel_size must be a positive odd integer, got {kernel_size}"
            raise ValueError(msg)
        conv_cls = conv(spatial_dims)
        padding = kernel_size // 2
        # a bias right before a normalisation is cancelled by its mean subtraction
        bias = norm == "none"
        self.body = nn.Sequential(
            conv_cls(channels, channels, kernel_size, padding=padding, bias=bias),
            make_norm(norm, spatial_dims, channels),
            make_activation(activation),
            conv_cls(channels, channels, kernel_size, padding=padding, bias=bias),
            make_norm(norm, spatial_dims, channels),
        )
        self.residual_scale = residual_scale

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x[B, C, *S]`` (in place on its own maps in the inference form)."""
        in_place = self.inference_form
        residual = run_layers(self.body, x, in_place=in_place)
        return add_scaled(residual, x, self.residual_scale, in_place=in_place)
