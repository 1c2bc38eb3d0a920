"""A toy conditional task and generator: super-resolution conditioned on a hole mask.

Kept apart from their registration (:mod:`tests.tasks.toy_task`) so in-process tests can use the
classes without adding them to the global registries that other tests enumerate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import torch
from torch import Tensor, nn

from gan_engine.metrics.quality import image_quality
from gan_engine.nn.interpolate import upsample
from gan_engine.protocols import Generator, Normaliser, TaskBatch, TaskValidation
from gan_engine.registry import NoParams
from gan_engine.types import Conditioning, ConditioningKind, Preview, SpatialDims


def holes_of(lr: Tensor) -> Tensor:
    """A deterministic per-sample hole mask ``[B, 1, *S]``: pixels brighter than the sample's median.

    Drawn from the data, not from a random generator, so resumed runs see the same holes.
    """
    first = lr[:, :1].float()
    median = first.flatten(1).median(dim=1).values.view(-1, *([1] * (lr.ndim - 1)))
    return (first > median).to(lr.dtype)


@attrs.frozen
class HoleConditionedSR:
    """Super-resolution whose generator also receives a hole mask (``cond.holes``)."""

    spatial_dims: SpatialDims
    channels: int
    scale: int
    params: NoParams = attrs.field(factory=NoParams)
    name: str = attrs.field(default="toy_hole_sr", init=False)
    generator_needs: frozenset[ConditioningKind] = attrs.field(
        default=frozenset({"mask"}), init=False
    )
    discriminator_needs: frozenset[ConditioningKind] = attrs.field(factory=frozenset, init=False)

    def prepare(self, batch: Mapping[str, Any], normaliser: Normaliser) -> TaskBatch:
        """Normalised LR and HR, the holes of the LR, and their HR-resolution version."""
        holes = holes_of(batch["lr"])
        target_holes = nn.functional.interpolate(holes, scale_factor=self.scale, mode="nearest")
        return TaskBatch(
            inputs=normaliser.normalise(batch["lr"], "lr"),
            target=normaliser.normalise(batch["hr"], "hr"),
            cond=Conditioning(holes=holes),
            target_holes=target_holes,
            metadata=batch.get("metadata"),
        )

    def generate(self, generator: Generator, batch: TaskBatch) -> Tensor:
        """The generator with the hole mask."""
        return generator(batch.inputs, batch.cond)

    def discriminator_view(
        self, image: Tensor, batch: TaskBatch
    ) -> tuple[Tensor, Conditioning | None]:
        """The image, unconditioned."""
        return image, None

    def validate(
        self,
        batch: Mapping[str, Any],
        prepared: TaskBatch,
        output: Tensor,
        normaliser: Normaliser,
        data_range: float,
    ) -> TaskValidation:
        """PSNR/SSIM/SAM of the output and of nearest-neighbour upsampling; LR | holes | SR | HR."""
        lr, hr = batch["lr"].float(), batch["hr"]
        sr = normaliser.denormalise(output, "hr").float()
        nearest = nn.functional.interpolate(lr, scale_factor=self.scale, mode="nearest")
        metrics = dict(image_quality(sr, hr, data_range))
        for name, values in image_quality(nearest, hr, data_range).items():
            metrics[f"{name}_nearest"] = values
        holes = prepared.cond.holes if prepared.cond is not None else None
        assert holes is not None
        columns = (("LR", lr), ("holes", holes), ("SR", sr), ("HR", hr))
        return TaskValidation(
            metrics=metrics, images={"sr": sr}, preview=Preview(columns=columns), headline="psnr"
        )


@attrs.frozen
class ToyParams:
    """Parameters of the toy generator.

    Attributes:
        n_features: channels of its hidden layer.
    """

    n_features: int = 8


class HoleConditionedGenerator(nn.Module):
    """Bicubic upsampling plus a learned residual of ``[lr, holes]``; refuses to run without holes."""

    def __init__(
        self,
        spatial_dims: SpatialDims,
        in_channels: int,
        out_channels: int,
        scale: int,
        params: ToyParams,
    ) -> None:
        super().__init__()
        if spatial_dims != 2:
            msg = f"the toy generator is 2D only, got spatial_dims={spatial_dims}"
            raise ValueError(msg)
        self.spatial_dims: SpatialDims = spatial_dims
        self.in_channels, self.out_channels, self.scale = in_channels, out_channels, scale
        self.body = nn.Sequential(
            nn.Conv2d(in_channels + 1, params.n_features, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(params.n_features, out_channels, 3, padding=1),
        )

    def forward(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        """``[B, C, H, W]`` and ``cond.holes`` ``[B, 1, H, W]`` → ``[B, C, H·s, W·s]``."""
        if cond is None or cond.holes is None:
            msg = "the toy hole-conditioned generator needs cond.holes ([B, 1, H, W])"
            raise ValueError(msg)
        residual = self.body(torch.cat([lr, cond.holes.to(lr.dtype)], dim=1))
        return upsample(lr + residual, self.scale)
