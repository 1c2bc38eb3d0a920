"""``embedding_alignment``: shape a trainable text encoder's embedding space after the images'.

Prompts of similar images should have similar embeddings. For a batch, the cosine similarities
between the prompts' global embeddings are pulled towards the cosine similarities between coarse
thumbnails of their target images (``hr``, no gradient):
``mean_{i≠j} (cos(e_i, e_j) - cos(t_i, t_j))²``. It has no parameters of its own and trains only
what produced ``context.cond.embedding`` (the trainable text encoder); 2D and 3D, any band count.
"""

from __future__ import annotations

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.params import at_least
from gan_engine.protocols import LossContext
from gan_engine.registry import register_loss

NAME = "embedding_alignment"


@attrs.frozen(kw_only=True)
class EmbeddingAlignmentParams:
    """Parameters of the ``embedding_alignment`` loss.

    Attributes:
        thumbnail: side of the image thumbnail (average pooling, per spatial axis) compared.
    """

    thumbnail: int = attrs.field(default=4, validator=at_least(1))


def image_similarities(images: Tensor, thumbnail: int) -> Tensor:
    """Cosine similarities ``[B, B]`` of the mean-free thumbnails of ``images[B, C, *S]``."""
    pool = F.adaptive_avg_pool2d if images.ndim == 4 else F.adaptive_avg_pool3d
    pooled = pool(images, thumbnail)
    flat = pooled.flatten(1)
    unit = F.normalize(flat - flat.mean(dim=1, keepdim=True), dim=1)
    return unit @ unit.T


@register_loss(NAME, params=EmbeddingAlignmentParams)
class EmbeddingAlignmentLoss(nn.Module):
    """Relational alignment of prompt embeddings with image thumbnails (see the module docstring).

    Reads ``context.cond.embedding[B, E]``; samples whose ``context.metadata`` prompt is empty
    (prompt dropout) do not count. 0 for fewer than two counted samples.
    """

    name = NAME

    def __init__(self, params: EmbeddingAlignmentParams | None = None) -> None:
        super().__init__()
        self.params = params or EmbeddingAlignmentParams()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """The squared gap between the two similarity matrices, off the diagonal."""
        cond = context.cond
        if cond is None or cond.embedding is None:
            msg = f"{NAME}: needs the prompts' embeddings in context.cond.embedding [B, E]"
            raise ValueError(msg)
        embedding = cond.embedding
        if context.metadata is not None:
            keep = [i for i, entry in enumerate(context.metadata) if entry.get("prompt", "")]
            embedding, hr = embedding[keep], hr[keep]
        count = embedding.shape[0]
        if count < 2:
            return embedding.sum() * 0.0
        with torch.no_grad():
            target = image_similarities(hr.float(), self.params.thumbnail)
        unit = F.normalize(embedding.float(), dim=1)
        off_diagonal = ~torch.eye(count, dtype=torch.bool, device=unit.device)
        gap = (unit @ unit.T - target)[off_diagonal]
        return gap.square().mean()
