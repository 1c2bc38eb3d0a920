"""An ordered list of degradation stages, each applied to a sample with its probability.

:class:`StagePipeline` turns HR batches in sensor units into ``(lr, hr)`` pairs: it scales to ``[0, 1]``
of the data range, runs the stages (a stage with ``p < 1`` runs on the samples whose seed draws it),
resizes to the LR size if the stages did not, clamps, and scales back. Every draw derives from the
sample's seed and the stage's position, so a sample's pair is reproducible and independent of what
else is in its batch (except the resize steps and the pool, drawn per batch).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from gan_engine.degradations.random import SampleRandom, derive_seeds
from gan_engine.degradations.resize import interpolate
from gan_engine.degradations.target import PairPool
from gan_engine.protocols import DegradationStage

_CHANCE_SALT = 1_000_003


def apply_with_probability(
    stage: DegradationStage,
    p: float,
    image: Tensor,
    target: Tensor,
    seeds: Tensor,
    scale: int,
    salt: int,
) -> tuple[Tensor, Tensor]:
    """Run ``stage`` on the samples that draw it (probability ``p`` each, from their seeds)."""
    stage_seeds = derive_seeds(seeds, salt)
    if p >= 1 or stage.batch_level:
        return stage(image, target, stage_seeds, scale)
    if p <= 0:
        return image, target
    chosen = SampleRandom(derive_seeds(seeds, salt + _CHANCE_SALT), torch.device("cpu")).bernoulli(
        p
    )
    if not bool(chosen.any()):
        return image, target
    if bool(chosen.all()):
        return stage(image, target, stage_seeds, scale)
    index = chosen.nonzero().squeeze(1).to(image.device)
    sub_image, sub_target = stage(image[index], target[index], stage_seeds[chosen], scale)
    image, target = image.clone(), target.clone()
    image[index], target[index] = sub_image, sub_target
    return image, target


class StagePipeline:
    """HR batches → ``(lr, hr)`` through ``stages`` (see the module docstring).

    Args:
        stages: ``(stage, p)`` in order; batch-level stages ignore ``p`` (the spec requires 1).
        scale: the super-resolution factor; LR is ``hr``'s size divided by it.
        data_range: the width of the sensor range (255 for 8-bit photos); values map to ``[0, 1]``.
        final_mode: interpolation of the closing resize when the stages end at another size.
    """

    def __init__(
        self,
        stages: Sequence[tuple[DegradationStage, float]],
        scale: int,
        data_range: float,
        final_mode: str = "area",
    ) -> None:
        if data_range <= 0:
            msg = f"data_range must be > 0, got {data_range}"
            raise ValueError(msg)
        self.stages = list(stages)
        self.scale = scale
        self.data_range = float(data_range)
        self.final_mode = final_mode
        self.mixes_batches = any(isinstance(stage, PairPool) for stage, _ in self.stages)

    def __call__(self, hr: Tensor, seeds: Tensor, *, training: bool) -> tuple[Tensor, Tensor]:
        """``(lr[B, C, *(S / scale)], hr[B, C, *S])`` in sensor units from ``hr`` and int64 ``seeds[B]``."""
        if len(seeds) != hr.shape[0]:
            msg = f"expected one seed per sample ({hr.shape[0]}), got {len(seeds)}"
            raise ValueError(msg)
        seeds = seeds.detach().to("cpu", torch.int64)
        dtype = hr.dtype if hr.is_floating_point() else torch.float32
        target = hr.to(dtype) / self.data_range
        image = target
        for index, (stage, p) in enumerate(self.stages):
            if isinstance(stage, PairPool) and not training:
                continue
            image, target = apply_with_probability(
                stage, p, image, target, seeds, self.scale, index
            )
        size = [s // self.scale for s in target.shape[2:]]
        image = interpolate(image, size, self.final_mode).clamp(0, 1)
        return image * self.data_range, target * self.data_range
