"""Cross-attention from feature maps of any spatial dims to a token sequence (e.g. a prompt)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

OUTPUT_INIT_GAIN = 0.1
"""Factor on the default init of the output projection: near identity, yet the tokens matter."""


class TokenCrossAttention(nn.Module):
    """Residual multi-head cross-attention: every position of ``x`` attends to ``tokens``.

    ``x[B, C, *S]``, ``tokens[B, T, E]``, ``token_mask[B, T]`` (bool, True for real tokens) →
    ``x + out(attention(q(norm(x)), k(tokens), v(tokens)))`` of shape ``[B, C, *S]``. A learned
    "null" token is always attended to as well, so a prompt with no real token (an empty prompt,
    padding only) is valid. The norm is per position (layer norm over channels), so an output
    pixel depends on its own input pixel and the tokens only: the spatial receptive field of a
    network does not grow.

    Args:
        channels: channels ``C`` of the feature maps.
        token_dim: width ``E`` of the tokens.
        heads: attention heads; must divide ``channels``.
    """

    def __init__(self, channels: int, token_dim: int, *, heads: int = 4) -> None:
        super().__init__()
        for name, value in (("channels", channels), ("token_dim", token_dim), ("heads", heads)):
            if value < 1:
                msg = f"TokenCrossAttention: {name} must be >= 1, got {value}"
                raise ValueError(msg)
        if channels % heads:
            msg = f"TokenCrossAttention: heads ({heads}) must divide channels ({channels})"
            raise ValueError(msg)
        self.channels = channels
        self.token_dim = token_dim
        self.heads = heads
        self.norm = nn.LayerNorm(channels)
        self.query = nn.Linear(channels, channels)
        self.key = nn.Linear(token_dim, channels)
        self.value = nn.Linear(token_dim, channels)
        self.null_token = nn.Parameter(torch.zeros(token_dim))
        self.out = nn.Linear(channels, channels)
        with torch.no_grad():
            self.out.weight.mul_(OUTPUT_INIT_GAIN)
            self.out.bias.zero_()

    def forward(self, x: Tensor, tokens: Tensor, token_mask: Tensor | None = None) -> Tensor:
        """Attend from ``x[B, C, *S]`` to ``tokens[B, T, E]``; ``token_mask[B, T]`` marks real ones."""
        batch = x.shape[0]
        if tokens.ndim != 3 or tokens.shape[0] != batch or tokens.shape[2] != self.token_dim:
            msg = (
                f"TokenCrossAttention: expected tokens of shape [{batch}, T, {self.token_dim}], "
                f"got {tuple(tokens.shape)}"
            )
            raise ValueError(msg)
        if token_mask is None:
            token_mask = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)
        elif token_mask.shape != tokens.shape[:2]:
            msg = (
                f"TokenCrossAttention: expected token_mask of shape {tuple(tokens.shape[:2])}, "
                f"got {tuple(token_mask.shape)}"
            )
            raise ValueError(msg)
        null = self.null_token.to(tokens.dtype).expand(batch, 1, self.token_dim)
        keys_in = torch.cat([null, tokens], dim=1)
        attend = torch.cat([token_mask.new_ones((batch, 1)), token_mask.bool()], dim=1)
        queries_in = x.flatten(2).transpose(1, 2)  # [B, N, C]
        head_width = self.channels // self.heads

        def split(t: Tensor) -> Tensor:  # [B, L, C] -> [B, heads, L, C / heads]
            return t.reshape(batch, t.shape[1], self.heads, head_width).transpose(1, 2)

        query = split(self.query(self.norm(queries_in)))
        key, value = split(self.key(keys_in)), split(self.value(keys_in))
        attended = F.scaled_dot_product_attention(
            query, key, value, attn_mask=attend[:, None, None]
        )
        merged = attended.transpose(1, 2).reshape(batch, -1, self.channels)
        update: Tensor = self.out(merged).transpose(1, 2).reshape(x.shape)
        return x + update
