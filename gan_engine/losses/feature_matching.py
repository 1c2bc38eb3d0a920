"""Feature matching (Salimans et al. 2016): the generator matches the discriminator's features."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor, nn

from gan_engine.protocols import LossContext
from gan_engine.registry import NoParams, register_loss


@register_loss("feature_matching", params=NoParams)
class FeatureMatchingLoss(nn.Module):
    """Mean over discriminator layers of the L1 distance between features of ``sr`` and ``hr``.

    A content term (not an adversarial loss): it reads ``context.fake_features`` (``D.features(sr)``)
    and ``context.real_features`` (``D.features(hr)``), one tensor per layer, shallow to deep, any
    shapes. The real features are detached. The class attribute ``needs_features = True`` tells the
    trainer to compute both lists for the generator step. 0 when the features coincide.
    """

    name = "feature_matching"
    needs_features: ClassVar[bool] = True

    def __init__(self, params: NoParams | None = None) -> None:
        super().__init__()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return ``mean_l mean |fake_l - real_l|`` as a 0-dim tensor."""
        fake, real = context.fake_features, context.real_features
        if fake is None or real is None:
            msg = (
                "feature_matching: needs context.fake_features and context.real_features "
                "(the discriminator's features of sr and hr); the trainer computes them when the "
                "loss has needs_features = True"
            )
            raise ValueError(msg)
        if len(fake) != len(real) or not fake:
            msg = (
                f"feature_matching: expected the same non-zero number of feature maps for sr and hr, "
                f"got {len(fake)} and {len(real)}"
            )
            raise ValueError(msg)
        terms = []
        for index, (f, r) in enumerate(zip(fake, real, strict=True)):
            if f.shape != r.shape:
                msg = (
                    f"feature_matching: layer {index} shapes differ: {tuple(f.shape)} (sr) vs "
                    f"{tuple(r.shape)} (hr)"
                )
                raise ValueError(msg)
            terms.append((f - r.detach()).abs().mean())
        return torch.stack(terms).mean()
