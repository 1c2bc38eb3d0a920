"""Super-resolution: a low-resolution input, a high-resolution target, bicubic as the baseline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from torch import Tensor

from gan_engine.metrics.quality import image_quality
from gan_engine.nn.interpolate import upsample
from gan_engine.protocols import Generator, Normaliser, TaskBatch, TaskValidation
from gan_engine.registry import NoParams, register_task
from gan_engine.types import Conditioning, ConditioningKind, Preview, SpatialDims


@register_task("super_resolution", params=NoParams)
@attrs.frozen
class SuperResolution:
    """LR → SR against HR; validation reports PSNR/SSIM/SAM of the model and of bicubic upsampling.

    Batches hold ``lr`` ``[B, C, *S]`` and ``hr`` ``[B, C, *(S * scale)]`` (and an optional valid-pixel
    ``mask`` at HR resolution); nothing is conditioned. The baseline is bicubic interpolation in 2D
    and trilinear in 3D, reported with a ``_bicubic`` suffix (``val/psnr_bicubic``).
    """

    spatial_dims: SpatialDims
    channels: int
    scale: int
    params: NoParams = attrs.field(factory=NoParams)
    name: str = attrs.field(default="super_resolution", init=False)
    generator_needs: frozenset[ConditioningKind] = attrs.field(factory=frozenset, init=False)
    discriminator_needs: frozenset[ConditioningKind] = attrs.field(factory=frozenset, init=False)

    def prepare(self, batch: Mapping[str, Any], normaliser: Normaliser) -> TaskBatch:
        """Normalise ``lr`` as the input and ``hr`` as the target; pass the valid-pixel mask on."""
        return TaskBatch(
            inputs=normaliser.normalise(batch["lr"], "lr"),
            target=normaliser.normalise(batch["hr"], "hr"),
            mask=batch.get("mask"),
            metadata=batch.get("metadata"),
        )

    def generate(self, generator: Generator, batch: TaskBatch) -> Tensor:
        """Super-resolve the input."""
        return generator(batch.inputs)

    def discriminator_view(
        self, image: Tensor, batch: TaskBatch
    ) -> tuple[Tensor, Conditioning | None]:
        """The image itself, unconditioned."""
        return image, None

    def validate(
        self,
        batch: Mapping[str, Any],
        prepared: TaskBatch,
        output: Tensor,
        normaliser: Normaliser,
        data_range: float,
    ) -> TaskValidation:
        """PSNR/SSIM/SAM of SR and of bicubic upsampling, in sensor units; LR | bicubic | SR | HR."""
        lr_raw, hr_raw = batch["lr"], batch["hr"]
        sr_raw = normaliser.denormalise(output, "hr").float()
        metrics, baseline = against_bicubic(sr_raw, lr_raw, hr_raw, self.scale, data_range)
        images = {"lr": lr_raw, "bicubic": baseline, "sr": sr_raw, "hr": hr_raw}
        preview = Preview(
            columns=(("LR", lr_raw), ("bicubic", baseline), ("SR", sr_raw), ("HR", hr_raw))
        )
        return TaskValidation(
            metrics=metrics,
            images=images,
            preview=preview,
            headline="psnr",
            prediction=sr_raw,
            reference=hr_raw,
            baselines={"bicubic": baseline},
        )


def against_bicubic(
    sr: Tensor, lr: Tensor, hr: Tensor, scale: int, data_range: float
) -> tuple[dict[str, Tensor], Tensor]:
    """Per-sample PSNR/SSIM/SAM ``[B]`` of ``sr`` and of bicubic (3D: trilinear) ``lr`` vs ``hr``.

    All in sensor units; the baseline's metrics carry a ``_bicubic`` suffix. Returns the metrics and
    the upsampled baseline (for previews).
    """
    baseline = upsample(lr.float(), scale)
    metrics: dict[str, Tensor] = {}
    for suffix, prediction in (("", sr), ("_bicubic", baseline)):
        for name, values in image_quality(prediction, hr, data_range).items():
            metrics[f"{name}{suffix}"] = values
    return metrics, baseline
