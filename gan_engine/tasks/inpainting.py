"""Inpainting and gap-filling: fill the holes of an input, at its resolution or while upscaling it.

Batches hold ``lr`` ``[B, C, *S]``, ``hr`` ``[B, C, *(S · scale)]`` and ``holes`` ``[B, 1, *S]`` (1 =
missing), drawn by the task's mask generator (``masks``) for every sample: per epoch for training,
fixed by seed for validation. The generator receives the input with its holes in ``cond.holes``
(generators without a mask input of their own are wrapped, see
:func:`gan_engine.generators.mask_input.with_mask_input`); the losses see the holes at the output's
resolution in ``LossContext.target_holes``, and so does the discriminator in ``cond.holes`` (used when
it is built with mask channels: DeepFill's mask-as-input mode; the ``mask_target`` loss is LaMa's
mask-as-target mode).

- ``inpainting`` (scale 1): the output is composited into the known pixels, which stay exact.
- ``gapfill`` (any scale): an LR input with holes becomes a complete HR output; no output pixel is
  known, so nothing is composited. The baseline fills the LR holes, then upsamples bicubically.

Validation reports PSNR/SSIM in the holes (``psnr_hole``, ``ssim_hole``) and on the whole output
(``psnr``, ``ssim``; the composite for inpainting), each also per hole-ratio bin (``psnr_hole_thin``,
…), next to a classical baseline on the same inputs (suffix ``_baseline``): scikit-image's biharmonic
inpainting in 2D, the harmonic fill for volumes (``baseline: auto``). Baseline figures are cached per
validation batch, since validation masks never change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Literal, TypeAlias, get_args

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor

from gan_engine.masks.choice import MaskChoice
from gan_engine.metrics.holes import binned, inpainting_quality, ratio_bins
from gan_engine.nn.fill import biharmonic_fill, composite, harmonic_fill
from gan_engine.nn.interpolate import upsample
from gan_engine.params import at_least, one_of
from gan_engine.protocols import Generator, MaskGenerator, Normaliser, TaskBatch, TaskValidation
from gan_engine.registry import Capabilities, register_task
from gan_engine.types import Conditioning, ConditioningKind, Preview, SpatialDims

BaselineKind: TypeAlias = Literal["auto", "biharmonic", "harmonic"]
BASELINES: tuple[BaselineKind, ...] = get_args(BaselineKind)

_MASK: frozenset[ConditioningKind] = frozenset({"mask"})


def _default_masks() -> MaskChoice:
    return MaskChoice(name="mixture", params={})


@attrs.frozen(kw_only=True)
class HoleTaskParams:
    """Parameters of the ``inpainting`` and ``gapfill`` tasks.

    Attributes:
        masks: the mask generator drawing each sample's holes (``name`` and ``params``; default:
            half strokes, half boxes, 10–30 % holes). ``nodata`` uses the rasters' own nodata.
        mask_seed: seed of every mask: training masks depend on it, the epoch and the sample index;
            validation masks on it and the index only.
        baseline: the classical fill reported as ``*_baseline``: ``biharmonic`` (scikit-image, 2D
            only), ``harmonic`` (any dims and bands) or ``auto`` (biharmonic in 2D, harmonic in 3D).
    """

    masks: MaskChoice = attrs.field(factory=_default_masks)
    mask_seed: int = attrs.field(default=0, validator=at_least(0))
    baseline: BaselineKind = attrs.field(default="auto", validator=one_of(BASELINES))


class _HoleTask:
    """What the inpainting and gap-filling tasks share (see the module docstring)."""

    name = "holes"
    generator_needs: frozenset[ConditioningKind] = _MASK
    discriminator_needs: frozenset[ConditioningKind] = frozenset()
    compositing = False

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: HoleTaskParams | None = None,
    ) -> None:
        self.spatial_dims = spatial_dims
        self.channels = channels
        self.scale = scale
        self.params = params or HoleTaskParams()
        self.masks: MaskGenerator = self.params.masks.build()
        self.mask_seed = self.params.mask_seed
        self._baselines: dict[bytes, dict[str, Tensor]] = {}

    def prepare(self, batch: Mapping[str, Any], normaliser: Normaliser) -> TaskBatch:
        """Normalise ``lr`` and ``hr``; the holes go to the generator and, upsampled, to the losses."""
        holes = batch.get("holes")
        if holes is None:
            msg = (
                f"{self.name}: batches need 'holes' ([B, 1, *S], 1 = missing); the datasets of this "
                "run give none (build the data through the task's mask generator)"
            )
            raise ValueError(msg)
        inputs = normaliser.normalise(batch["lr"], "lr")
        target = normaliser.normalise(batch["hr"], "hr")
        holes = holes.to(inputs.dtype)
        return TaskBatch(
            inputs=inputs * (1.0 - holes),  # nothing of the missing pixels reaches the network
            target=target,
            cond=Conditioning(holes=holes),
            mask=batch.get("mask"),
            target_holes=self.target_holes(holes),
            metadata=batch.get("metadata"),
        )

    @staticmethod
    def _holes_of(batch: TaskBatch) -> Tensor:
        if batch.target_holes is None:  # prepare() always sets them
            msg = "the batch has no target_holes: it was not prepared by a hole-filling task"
            raise ValueError(msg)
        return batch.target_holes

    def target_holes(self, holes: Tensor) -> Tensor:
        """The holes at the output's resolution (nearest-neighbour: a pixel's holes cover its block)."""
        if self.scale == 1:
            return holes
        return F.interpolate(holes, scale_factor=self.scale, mode="nearest")

    def generate(self, generator: Generator, batch: TaskBatch) -> Tensor:
        """The generator's output for the input and its holes."""
        return generator(batch.inputs, batch.cond)

    def discriminator_view(
        self, image: Tensor, batch: TaskBatch
    ) -> tuple[Tensor, Conditioning | None]:
        """The image, with the holes at its resolution (read by discriminators built with mask channels)."""
        return image, Conditioning(holes=self._holes_of(batch))

    def baseline(self, lr: Tensor, holes: Tensor) -> Tensor:
        """The classical fill of ``lr``'s holes, upsampled to the output's size; sensor units."""
        kind = self.params.baseline
        if kind == "auto":
            kind = "biharmonic" if lr.ndim == 4 else "harmonic"
        filled = biharmonic_fill(lr, holes) if kind == "biharmonic" else harmonic_fill(lr, holes)
        return filled if self.scale == 1 else upsample(filled, self.scale)

    def validate(
        self,
        batch: Mapping[str, Any],
        prepared: TaskBatch,
        output: Tensor,
        normaliser: Normaliser,
        data_range: float,
    ) -> TaskValidation:
        """Hole and whole-image PSNR/SSIM, per bin, of the model and of the baseline.

        ``Validation.metrics`` score the composite against the target (the model's stream only:
        the baseline's scores are cached per batch, its images are not kept).
        """
        lr_raw, hr_raw = batch["lr"].float(), batch["hr"].float()
        holes = batch["holes"].float()
        target_holes = self.target_holes(holes)
        out_raw = normaliser.denormalise(output, "hr").float()
        filled = composite(hr_raw, out_raw, target_holes) if self.compositing else out_raw
        metrics = self._scores(out_raw, filled, hr_raw, target_holes, data_range)
        key = _key(lr_raw, holes)
        if key not in self._baselines:
            base = self.baseline(lr_raw, holes)
            scores = self._scores(base, base, hr_raw, target_holes, data_range)
            self._baselines[key] = {f"{name}_baseline": v for name, v in scores.items()}
        metrics.update(self._baselines[key])
        masked = lr_raw * (1.0 - holes)
        images = {
            "masked": masked,
            "holes": holes,
            "output": out_raw,
            "composite": filled,
            "target": hr_raw,
        }
        columns = [("masked input", masked), ("mask", holes), ("output", out_raw)]
        if self.compositing:
            columns.append(("composite", filled))
        columns.append(("target", hr_raw))
        return TaskValidation(
            metrics=metrics,
            images=images,
            preview=Preview(columns=tuple(columns)),
            headline="psnr_hole",
            prediction=filled,
            reference=hr_raw,
        )

    @staticmethod
    def _scores(
        output: Tensor, whole: Tensor, target: Tensor, holes: Tensor, data_range: float
    ) -> dict[str, Tensor]:
        scores = inpainting_quality(output, whole, target, holes, data_range)
        per_bin = binned(scores, ratio_bins(holes))
        # A sample without holes has no hole score (nan): leave it out rather than poison the mean.
        kept = {name: values[~torch.isnan(values)] for name, values in scores.items()}
        return {**{name: v for name, v in kept.items() if v.numel()}, **per_bin}


def _key(lr: Tensor, holes: Tensor) -> bytes:
    digest = hashlib.sha1(usedforsecurity=False)
    for tensor in (lr, holes):
        digest.update(str(tuple(tensor.shape)).encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.digest()


@register_task(
    "inpainting",
    params=HoleTaskParams,
    capabilities=Capabilities(scales=frozenset({1}), generator_needs=_MASK),
)
class Inpainting(_HoleTask):
    """Fill holes at the input's resolution; the output keeps every known pixel exactly (scale 1)."""

    name = "inpainting"
    compositing = True

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: HoleTaskParams | None = None,
    ) -> None:
        if scale != 1:
            msg = f"inpainting: Data.scale must be 1 (use the gapfill task to fill and upscale), got {scale}"
            raise ValueError(msg)
        super().__init__(spatial_dims, channels, scale, params)

    def generate(self, generator: Generator, batch: TaskBatch) -> Tensor:
        """The generator's output composited into the known pixels of the target."""
        output = generator(batch.inputs, batch.cond)
        return composite(batch.target, output, self._holes_of(batch))


@register_task("gapfill", params=HoleTaskParams, capabilities=Capabilities(generator_needs=_MASK))
class GapFill(_HoleTask):
    """Fill the holes of an LR input and super-resolve it in one network: a complete HR output."""

    name = "gapfill"
