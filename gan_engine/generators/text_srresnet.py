"""A text-conditioned SRResNet: a prompt steers the super-resolution of one input.

FiLM from the prompt's global embedding and cross-attention to its token embeddings after every body
block, at the input (low) resolution, in 2D and 3D and for any band count.
"""

from __future__ import annotations

from typing import Self

import attrs
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
from gan_engine.nn.cross_attention import TokenCrossAttention
from gan_engine.nn.inference_forms import InferenceForms, run_layers
from gan_engine.nn.layers import conv
from gan_engine.nn.modulation import FiLM
from gan_engine.params import at_least
from gan_engine.registry import Capabilities, register_generator
from gan_engine.types import Conditioning, SpatialDims

MAPPING_NEGATIVE_SLOPE = 0.2
"""LeakyReLU slope of the embedding's mapping network."""


@attrs.frozen(kw_only=True)
class TextSRResNetParams(SRResNetParams):
    """Parameters of :class:`TextSRResNet`: SRResNet's, plus the prompt conditioning's.

    The inherited attributes mean what they mean in
    :class:`~gan_engine.generators.srresnet.SRResNetParams`; ``receptive_field()`` is the same,
    since the conditioning acts per pixel and per channel, never across pixels.

    Attributes:
        embedding_dim: width of the global prompt embedding (the text encoder's).
        token_dim: width of the prompt's token embeddings (the text encoder's).
        style_channels: width of the two-layer MLP mapping the embedding to the FiLM style.
        attention_heads: heads of the cross-attention; must divide ``n_channels``.
    """

    embedding_dim: int = attrs.field(default=64, validator=at_least(1))
    token_dim: int = attrs.field(default=64, validator=at_least(1))
    style_channels: int = attrs.field(default=128, validator=at_least(1))
    attention_heads: int = attrs.field(default=4, validator=at_least(1))

    def __attrs_post_init__(self) -> None:
        if self.n_channels % self.attention_heads:
            msg = f"must divide n_channels {self.n_channels}, got {self.attention_heads}"
            raise InvalidParamError(key="attention_heads", message=msg)

    @classmethod
    def tiny(cls) -> Self:
        """A very small configuration for contract tests and smoke runs."""
        return cls(
            n_channels=8,
            n_blocks=1,
            head_kernel_size=3,
            embedding_dim=6,
            token_dim=5,
            style_channels=8,
            attention_heads=2,
        )


@register_generator(
    "text_srresnet",
    params=TextSRResNetParams,
    capabilities=Capabilities(
        spatial_dims=frozenset({2, 3}),
        scales=SCALES,
        min_input_size=2,  # as SRResNet: batch norm needs 2 values per channel
        channels_last_safe=True,
        receptive_field=TextSRResNetParams().receptive_field(),
        conditioning=frozenset({"embedding", "tokens"}),
    ),
)
class TextSRResNet(InferenceForms):
    """SRResNet steered by a prompt: FiLM from its embedding, cross-attention to its tokens.

    ``forward(lr[B, C_in, *S], cond)`` with ``cond.embedding[B, embedding_dim]``,
    ``cond.tokens[B, T, token_dim]`` and ``cond.token_mask[B, T]`` (optional, True for real
    tokens) gives ``sr[B, C_out, *(S * scale)]``. The embedding is mapped by an MLP to a style
    vector that scales and shifts the features after every body block (FiLM); then every position
    attends to the tokens and a learned null token (so empty prompts work). Both act at the input
    resolution, where attention over ``H·W`` positions is cheap.

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
        params: TextSRResNetParams | None = None,
    ) -> None:
        super().__init__()
        params = TextSRResNetParams() if params is None else params
        check_arguments("TextSRResNet", spatial_dims, in_channels, out_channels, scale, params)
        self.spatial_dims = spatial_dims
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.scale = scale
        self.embedding_dim = params.embedding_dim
        self.token_dim = params.token_dim
        self.params = params

        conv_cls = conv(spatial_dims)
        width, head_kernel = params.n_channels, params.head_kernel_size
        self.head = nn.Sequential(
            conv_cls(in_channels, width, head_kernel, padding=head_kernel // 2),
            make_activation(params.activation),
        )
        style = params.style_channels
        self.mapping = nn.Sequential(
            nn.Linear(params.embedding_dim, style),
            nn.LeakyReLU(MAPPING_NEGATIVE_SLOPE),
            nn.Linear(style, style),
            nn.LeakyReLU(MAPPING_NEGATIVE_SLOPE),
        )
        build_block = BODY_BLOCKS[params.block]
        self.body = nn.ModuleList(build_block(spatial_dims, params) for _ in range(params.n_blocks))
        self.films = nn.ModuleList(FiLM(style, width) for _ in range(params.n_blocks))
        self.attentions = nn.ModuleList(
            TokenCrossAttention(width, params.token_dim, heads=params.attention_heads)
            for _ in range(params.n_blocks)
        )
        self.body_end, self.upsampler, self.tail = reconstruction_layers(
            spatial_dims, out_channels, scale, params
        )

    def forward(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Super-resolve ``lr[B, C_in, *S]`` as the prompt in ``cond`` says."""
        embedding, tokens, token_mask = self._check_input(lr, cond)
        style: Tensor = self.mapping(embedding.to(lr.dtype))
        eager = self.inference_form  # then in place on the network's own maps
        head = run_layers(self.head, lr, in_place=eager)
        features = head
        for block, film, attention in zip(self.body, self.films, self.attentions, strict=True):
            features = attention(film(block(features), style), tokens.to(lr.dtype), token_mask)
        closed: Tensor = self.body_end(features)
        return reconstruct_output(
            self.upsampler,
            self.tail,
            head,
            closed,
            lr,
            scale=self.scale,
            global_skip=self.params.global_skip,
            inference=eager,
        )

    def _check_input(
        self, lr: Tensor, cond: Conditioning | None
    ) -> tuple[Tensor, Tensor, Tensor | None]:
        checks.check_input("TextSRResNet", lr, self.spatial_dims, self.in_channels)
        if cond is None or cond.embedding is None or cond.tokens is None:
            msg = (
                "TextSRResNet needs a prompt: cond=Conditioning(embedding=[B, "
                f"{self.embedding_dim}], tokens=[B, T, {self.token_dim}], token_mask=[B, T])"
            )
            raise ValueError(msg)
        batch = lr.shape[0]
        if tuple(cond.embedding.shape) != (batch, self.embedding_dim):
            msg = (
                f"TextSRResNet expects cond.embedding of shape [{batch}, {self.embedding_dim}], "
                f"got {tuple(cond.embedding.shape)}"
            )
            raise ValueError(msg)
        if cond.tokens.ndim != 3 or cond.tokens.shape[::2] != (batch, self.token_dim):
            msg = (
                f"TextSRResNet expects cond.tokens of shape [{batch}, T, {self.token_dim}], "
                f"got {tuple(cond.tokens.shape)}"
            )
            raise ValueError(msg)
        return cond.embedding, cond.tokens, cond.token_mask
