"""A stochastic SRResNet: one LR input, many plausible SR outputs, chosen by a latent code ``z``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Self, TypeAlias, get_args

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.generators import checks
from gan_engine.generators.body_blocks import BODY_BLOCKS
from gan_engine.generators.srresnet import (
    SCALES,
    SRResNetParams,
    check_arguments,
    reconstruct_output,
    reconstruction_layers,
)
from gan_engine.nn.activation import make_activation
from gan_engine.nn.inference_forms import InferenceForms, run_layers
from gan_engine.nn.layers import conv
from gan_engine.nn.modulation import FiLM, LatentModulatedResidualBlock, NoiseInjection
from gan_engine.params import at_least, one_of
from gan_engine.registry import Capabilities, register_generator
from gan_engine.types import BuildContext, Conditioning, SpatialDims

Modulation: TypeAlias = Literal["film", "block"]
"""Where the latent acts: a FiLM after every block, or inside every block by its own MLP."""

MAPPING_NEGATIVE_SLOPE = 0.2
"""LeakyReLU slope of the latent mapping network."""


@attrs.frozen(kw_only=True)
class StochasticSRResNetParams(SRResNetParams):
    """Parameters of :class:`StochasticSRResNet`: SRResNet's, plus the latent code's.

    The inherited attributes (``n_channels``, ``n_blocks``, ``block``, ...) mean what they mean in
    :class:`~gan_engine.generators.srresnet.SRResNetParams`, and ``receptive_field()`` is the
    same: ``z`` acts per channel, never across pixels.

    Attributes:
        latent_dim: size of the latent code ``z``.
        mapping_channels: width of the two-layer MLP mapping ``z`` to the style vector.
        noise_injection: also add per-pixel noise after every block (learned strength, starting
            at 0). The noise is drawn on every call, so outputs then vary even for one ``z``.
        modulation: ``film``: ``z`` → shared MLP (``mapping_channels`` wide) → a FiLM after every
            body block; ``block``: every block is conv → ``(1 + gamma) * . + beta`` from its own
            MLP of ``z`` (``mapping_channels`` wide, SiLU) → act → conv, plus its scaled skip
            (opensr-srgan's stochastic generator; needs ``block: res`` and ``norm: none``).
    """

    latent_dim: int = attrs.field(default=64, validator=at_least(1))
    mapping_channels: int = attrs.field(default=128, validator=at_least(1))
    noise_injection: bool = False
    modulation: Modulation = attrs.field(default="film", validator=one_of(get_args(Modulation)))

    def check(self, context: BuildContext) -> Iterator[InvalidParamError]:
        """``modulation: block`` builds its own residual blocks: ``block: res``, ``norm: none``."""
        if self.modulation != "block":
            return
        if self.block != "res":
            yield InvalidParamError(
                "block", f"modulation 'block' builds 'res' blocks, got block {self.block!r}"
            )
        if self.norm != "none":
            yield InvalidParamError(
                "norm", f"modulation 'block' has no normalisation, got norm {self.norm!r}"
            )

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for contract tests and smoke runs."""
        return cls(n_channels=8, n_blocks=1, head_kernel_size=3, latent_dim=4, mapping_channels=8)


@register_generator(
    "stochastic_srresnet",
    params=StochasticSRResNetParams,
    capabilities=Capabilities(
        spatial_dims=frozenset({2, 3}),
        scales=SCALES,
        min_input_size=2,  # as SRResNet: batch norm needs 2 values per channel
        channels_last_safe=True,
        # z acts per channel, not per pixel: the spatial receptive field is SRResNet's
        receptive_field=StochasticSRResNetParams().receptive_field(),
    ),
)
class StochasticSRResNet(InferenceForms):
    """SRResNet whose body is modulated by a latent code, so one input has many outputs.

    ``forward(lr[B, C_in, *S], cond=Conditioning(latent=z[B, latent_dim]))`` gives
    ``sr[B, C_out, *(S * scale)]``. ``z`` is mapped by an MLP to a style vector; after every body
    block a FiLM layer scales and shifts the features per channel by it (with ``modulation:
    block``, each block's own MLP of ``z`` modulates its first conv instead; optionally, noise is
    injected as well). Without a latent, ``z`` is drawn from ``N(0, I)`` with the global RNG, so
    ``torch.manual_seed`` reproduces a prediction; the same ``z`` always gives the same output
    (without noise injection).

    Args:
        spatial_dims: 2 or 3.
        in_channels: bands of the low-resolution input.
        out_channels: bands of the output.
        scale: upscaling factor per axis, one of 2, 3, 4, 8.
        params: architecture parameters.
    """

    spatial_dims: SpatialDims
    in_channels: int
    out_channels: int
    scale: int

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        out_channels: int,
        scale: int,
        params: StochasticSRResNetParams | None = None,
    ) -> None:
        super().__init__()
        params = StochasticSRResNetParams() if params is None else params
        check_arguments(
            "StochasticSRResNet", spatial_dims, in_channels, out_channels, scale, params
        )
        self.spatial_dims = spatial_dims
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.scale = scale
        self.latent_dim = params.latent_dim
        self.params = params

        conv_cls = conv(spatial_dims)
        width, head_kernel = params.n_channels, params.head_kernel_size
        self.head = nn.Sequential(
            conv_cls(in_channels, width, head_kernel, padding=head_kernel // 2),
            make_activation(params.activation),
        )
        for error in params.check(BuildContext(spatial_dims, in_channels, scale)):
            raise error
        style = params.mapping_channels
        self.body: nn.ModuleList
        if params.modulation == "block":
            self.mapping = nn.Sequential()
            self.body = nn.ModuleList(
                LatentModulatedResidualBlock(
                    spatial_dims,
                    width,
                    params.latent_dim,
                    style,
                    kernel_size=params.kernel_size,
                    activation=params.activation,
                    residual_scale=params.residual_scale,
                )
                for _ in range(params.n_blocks)
            )
            self.films = nn.ModuleList()
        else:
            self.mapping = nn.Sequential(
                nn.Linear(params.latent_dim, style),
                nn.LeakyReLU(MAPPING_NEGATIVE_SLOPE),
                nn.Linear(style, style),
                nn.LeakyReLU(MAPPING_NEGATIVE_SLOPE),
            )
            build_block = BODY_BLOCKS[params.block]
            self.body = nn.ModuleList(
                build_block(spatial_dims, params) for _ in range(params.n_blocks)
            )
            self.films = nn.ModuleList(FiLM(style, width) for _ in range(params.n_blocks))
        self.noises = nn.ModuleList(
            NoiseInjection(width) for _ in range(params.n_blocks if params.noise_injection else 0)
        )
        self.body_end, self.upsampler, self.tail = reconstruction_layers(
            spatial_dims, out_channels, scale, params
        )

    def sample_latent(
        self,
        batch: int,
        *,
        generator: torch.Generator | None = None,
        device: torch.device | None = None,
        dtype: torch.dtype | None = None,
    ) -> Tensor:
        """Draw ``z[batch, latent_dim] ~ N(0, I)`` (from the global RNG unless ``generator``)."""
        return torch.randn(batch, self.latent_dim, generator=generator, device=device, dtype=dtype)

    def forward(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Super-resolve ``lr[B, C_in, *S]`` for latent ``cond.latent[B, latent_dim]`` (drawn if None)."""
        if isinstance(cond, Tensor):  # the pre-Conditioning call form
            msg = "StochasticSRResNet takes its latent as cond=Conditioning(latent=z), not a tensor"  # type: ignore[unreachable]
            raise TypeError(msg)
        latent = None if cond is None else cond.latent
        self._check_input(lr, latent)
        z = (
            self.sample_latent(lr.shape[0], device=lr.device, dtype=lr.dtype)
            if latent is None
            else latent
        )
        z = z.to(lr.dtype)
        eager = self.inference_form  # then in place on the network's own maps
        head = run_layers(self.head, lr, in_place=eager)
        features = head
        style: Tensor = z if self.params.modulation == "block" else self.mapping(z)
        for index, block in enumerate(self.body):
            if self.params.modulation == "block":
                features = block(features, style)
            else:
                features = self.films[index](block(features), style)
            if self.noises:
                features = self.noises[index](features)
        closed: Tensor = self.body_end(features)
        return reconstruct_output(
            self.upsampler,
            self.tail,
            head,
            closed,
            lr,
            scale=self.scale,
            global_skip=self.params.global_skip,
            output_activation=self.params.output_activation,
            inference=eager,
        )

    def _check_input(self, lr: Tensor, latent: Tensor | None) -> None:
        checks.check_input("StochasticSRResNet", lr, self.spatial_dims, self.in_channels)
        if latent is not None and tuple(latent.shape) != (lr.shape[0], self.latent_dim):
            msg = (
                f"StochasticSRResNet expects cond.latent (the latent z) of shape "
                f"[{lr.shape[0]}, {self.latent_dim}], got {tuple(latent.shape)}"
            )
            raise ValueError(msg)
