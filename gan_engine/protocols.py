"""The typed contracts every component honours.

Shapes: ``B`` batch, ``C`` channels, ``S`` spatial axes — ``(H, W)`` when ``spatial_dims == 2`` and
``(D, H, W)`` when ``spatial_dims == 3``. Generators, discriminators, losses and normalisers are
``torch.nn.Module`` subclasses in practice (the training module checks this), so their parameters and
buffers move between devices and travel in checkpoints.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from gan_engine.types import Branch, Conditioning, ConditioningKind, Preview, Sample, SpatialDims


@runtime_checkable
class Generator(Protocol):
    """Maps a low-resolution batch to a super-resolved one.

    ``forward(lr[B, C_in, *S], cond=None) -> sr[B, C_out, *(S * scale)]``. ``cond`` (a
    :class:`~gan_engine.types.Conditioning`) carries optional latents, hole masks or embeddings for
    stochastic and conditional generators; a generator reads what its capabilities declare and ignores
    the rest.
    """

    spatial_dims: SpatialDims
    in_channels: int
    out_channels: int
    scale: int

    def __call__(self, lr: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Super-resolve ``lr``."""
        ...

    def parameters(self, recurse: bool = True) -> Iterator[nn.Parameter]:
        """Trainable parameters (as ``nn.Module.parameters``)."""
        ...


@runtime_checkable
class Discriminator(Protocol):
    """Scores images as real or generated.

    ``forward(x[B, C, *S], cond=None) -> logits`` of shape ``[B, 1]`` (global) or ``[B, 1, *S']``
    (patch or per-pixel); ``features(x, cond=None)`` returns intermediate activations for
    feature-matching losses. ``cond`` carries the conditioning the discriminator's capabilities
    declare (a hole mask as extra input channels, an embedding through a projection head); it is
    ignored by unconditional discriminators.
    """

    spatial_dims: SpatialDims
    in_channels: int

    def __call__(self, x: Tensor, cond: Conditioning | None = None) -> Tensor:
        """Return raw logits (no sigmoid)."""
        ...

    def features(self, x: Tensor, cond: Conditioning | None = None) -> list[Tensor]:
        """Return intermediate feature maps, shallow to deep."""
        ...

    def parameters(self, recurse: bool = True) -> Iterator[nn.Parameter]:
        """Trainable parameters (as ``nn.Module.parameters``)."""
        ...


@attrs.define(kw_only=True)
class LossContext:
    """What some loss terms need beyond ``sr`` and ``hr``.

    Attributes:
        step: generator step counter driving schedules.
        lr: the normalised low-resolution input ``[B, C, *S]``.
        fake_logits: discriminator logits on ``sr`` (adversarial terms).
        real_logits: discriminator logits on ``hr``; relativistic terms need them.
        fake_features: discriminator features of ``sr`` (feature matching).
        real_features: discriminator features of ``hr``.
        mask: ``[B, 1 or C, *S]`` with 1 where pixels count and 0 where they are nodata.
        cond: the batch's conditioning as the generator received it (hole masks at the input's
            resolution, embeddings, tokens); ``None`` for unconditioned tasks.
        target_holes: ``[B, 1 or C, *S]`` hole mask at the output's resolution (1 = generated, 0 =
            known), for terms that weigh known and missing pixels differently.
        metadata: per-sample JSON-able metadata, one dict per sample, when the dataset gives any.
    """

    step: int = 0
    lr: Tensor | None = None
    fake_logits: Tensor | None = None
    real_logits: Tensor | None = None
    fake_features: Sequence[Tensor] | None = None
    real_features: Sequence[Tensor] | None = None
    mask: Tensor | None = None
    cond: Conditioning | None = None
    target_holes: Tensor | None = None
    metadata: Sequence[Mapping[str, Any]] | None = None


@runtime_checkable
class Loss(Protocol):
    """One loss term: ``loss(sr, hr, context) -> scalar``; weighting and schedules live in the trainer."""

    name: str

    def __call__(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return a scalar (0-dim) tensor."""
        ...


@runtime_checkable
class AdversarialLoss(Loss, Protocol):
    """A loss term that also defines the discriminator's objective.

    ``__call__`` is the generator's side and reads ``context.fake_logits`` (and ``real_logits`` when
    relativistic); ``discriminator_loss`` is the discriminator's side.
    """

    def discriminator_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        """Return the scalar loss the discriminator minimises."""
        ...


@runtime_checkable
class Normaliser(Protocol):
    """Converts sensor values to network range and back, per branch.

    Works on batches ``[B, C, *S]`` in 2D and 3D. ``denormalise`` is the exact inverse of ``normalise``
    on the valid range. ``fit`` computes data-driven statistics by streaming over samples (fixed
    normalisers ignore it); the statistics are buffers, so they travel in checkpoints.
    """

    def normalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Sensor units → network range."""
        ...

    def denormalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Network range → sensor units."""
        ...

    def fit(self, samples: Iterable[Sample]) -> None:
        """Compute statistics by streaming over ``samples`` (a no-op for fixed normalisers).

        ``samples`` is a re-iterable collection of unbatched samples in sensor units: every
        ``iter(samples)`` starts a new pass that re-reads them from the dataset (e.g.
        :class:`gan_engine.data.fit_samples.DatasetSamples`), so an implementation may take several
        passes but never holds them all in memory; one-shot iterators are refused. Pixels masked by
        a sample's ``mask``, or non-finite in any band, do not count.
        """
        ...


@runtime_checkable
class ConditionSwapping(Protocol):
    """A task whose conditioning can be handed to other samples of the batch (e.g. prompts).

    The engine then (1) adds the matching-aware term to the discriminator's objective with weight
    ``matching_weight`` (a real image with another sample's conditioning counts as fake; 0 turns it
    off) and (2) runs the generator under the swapped conditioning in validation, handing the
    output to :meth:`Task.validate` as ``prepared.variants["swapped"]``.
    """

    matching_weight: float

    def mismatched(self, batch: TaskBatch) -> tuple[Conditioning, Tensor]:
        """Each sample's conditioning replaced by another sample's, and ``[B]`` bool: really another."""
        ...


@runtime_checkable
class TextEncoder(Protocol):
    """Turns prompts into conditioning: a global embedding, token embeddings and their padding mask.

    ``encode(prompts, ids=None)`` returns a :class:`~gan_engine.types.Conditioning` with
    ``embedding[B, embedding_dim]``, ``tokens[B, T, token_dim]`` (``T >= 1``) and
    ``token_mask[B, T]`` (bool, True for real tokens), on the encoder's device. ``ids`` are per-sample
    keys for encoders that look embeddings up by sample id rather than by prompt text. An empty
    prompt is valid (prompt dropout): it gives the encoder's "no prompt" conditioning. ``trainable``
    encoders are optimised with the generator; frozen ones are evaluated without gradients and
    cached per prompt.
    """

    embedding_dim: int
    token_dim: int
    trainable: bool

    def encode(self, prompts: Sequence[str], ids: Sequence[str] | None = None) -> Conditioning:
        """Encode one prompt per sample."""
        ...

    def parameters(self, recurse: bool = True) -> Iterator[nn.Parameter]:
        """Trainable parameters (as ``nn.Module.parameters``; none for frozen encoders)."""
        ...


@runtime_checkable
class DatasetSelector(Protocol):
    """Turns a modality keyword and its parameters into train and validation datasets.

    Datasets yield :class:`~gan_engine.types.Sample` dicts in sensor units; ``data_range`` is the width of
    the valid value range in those units (255 for 8-bit photos), used by metrics.
    """

    spatial_dims: SpatialDims
    channels: int
    scale: int
    data_range: float

    def train_dataset(self) -> Dataset[Sample]:
        """The training split."""
        ...

    def val_dataset(self) -> Dataset[Sample]:
        """The validation split."""
        ...


@runtime_checkable
class ConditioningNormaliser(Protocol):
    """Normalises a batch's conditioning values (embeddings, tokens) before the task reads it.

    ``__call__(batch) -> batch``: the collated batch with its conditioning normalised; hole masks are
    never touched, and a batch without conditioning comes back unchanged.
    """

    def __call__(self, batch: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return ``batch`` with its conditioning normalised."""
        ...


@runtime_checkable
class DegradationStage(Protocol):
    """One step of a degradation pipeline, on a batch of values in ``[0, 1]`` of the data range.

    ``stage(image[B, C, *S'], target[B, C, *S], seeds[B], scale) -> (image', target')``: ``image`` is the
    LR in the making (any size along the way), ``target`` the HR the generator must reproduce (only
    target-side stages such as sharpening change it). ``seeds`` (int64, one per sample) make every
    random draw reproducible per sample. ``batch_level`` stages (resizes, the training-pair pool)
    act on the whole batch at once and are not subject to a per-sample probability.
    """

    batch_level: bool

    def __call__(
        self, image: Tensor, target: Tensor, seeds: Tensor, scale: int
    ) -> tuple[Tensor, Tensor]:
        """Degrade ``image`` (and possibly change ``target``)."""
        ...


@runtime_checkable
class DegradationPipeline(Protocol):
    """Makes ``(lr[B, C, *(S / scale)], hr[B, C, *S])`` training pairs from HR batches, in sensor units.

    ``seeds`` (int64 ``[B]``) key every random draw per sample; ``training`` enables what only
    training uses (the training-pair pool). Runs on the device ``hr`` is on. ``mixes_batches`` says
    whether a returned pair may come from an earlier batch (then per-sample extras such as nodata
    masks cannot follow it).
    """

    mixes_batches: bool

    def __call__(self, hr: Tensor, seeds: Tensor, *, training: bool) -> tuple[Tensor, Tensor]:
        """Return ``(lr, hr)``; ``hr`` may be a sharpened or pooled target."""
        ...


@attrs.frozen(kw_only=True)
class TaskBatch:
    """One batch as a task means it: normalised network tensors and the conditioning that goes along.

    Attributes:
        inputs: the generator's input ``[B, C_in, *S]``, normalised.
        target: the reference the output is compared with ``[B, C_out, *S']``, normalised.
        cond: the generator's conditioning (hole masks at the input's resolution, embeddings,
            tokens); ``None`` for unconditioned tasks.
        mask: ``[B, 1, *S']`` valid-pixel mask (1 = counts, 0 = nodata) when the data has one.
        target_holes: ``[B, 1 or C, *S']`` hole mask at the output's resolution (1 = generated,
            0 = known) for tasks that generate part of an image.
        metadata: per-sample JSON-able metadata, one dict per sample, when the dataset gives any.
        variants: outputs under other conditioning, by name, added by the engine for validation
            (``swapped``: each sample's output under the next sample's conditioning, for tasks
            that are :class:`ConditionSwapping`); empty otherwise.
    """

    inputs: Tensor
    target: Tensor
    cond: Conditioning | None = None
    mask: Tensor | None = None
    target_holes: Tensor | None = None
    metadata: Sequence[Mapping[str, Any]] | None = None
    variants: Mapping[str, Tensor] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class TaskValidation:
    """What a task reports for one validation batch.

    Attributes:
        metrics: per-sample values ``[B]`` by name, logged as ``val/<name>`` (means over the run)
            and handed to ``extra_validation`` hooks; baselines carry a suffix (``psnr_bicubic``).
        images: named batches in sensor units returned with the metrics (SR: ``lr``, ``bicubic``,
            ``sr``, ``hr``), for callbacks that read them by name.
        preview: the columns (and captions) the image-grid callback draws.
        headline: the metric shown in the progress bar, if any.
        prediction: the model's output in sensor units that the spec's ``Validation.metrics``
            score (``None``: the task offers no image pair to them).
        reference: the image ``prediction`` is scored against, same shape, sensor units.
        baselines: baseline outputs by name (SR: ``{"bicubic": …}``), scored the same way and
            logged with a ``_<name>`` suffix (``val/lpips_bicubic``).
    """

    metrics: Mapping[str, Tensor]
    images: Mapping[str, Tensor] = attrs.field(factory=dict)
    preview: Preview
    headline: str | None = None
    prediction: Tensor | None = None
    reference: Tensor | None = None
    baselines: Mapping[str, Tensor] = attrs.field(factory=dict)


@runtime_checkable
class Task(Protocol):
    """What differs between tasks (super-resolution, inpainting, text-conditioned generation).

    The training engine is one and the same for every task: it asks the task what a batch means
    (:meth:`prepare`), how the generator is called (:meth:`generate`), what the discriminator sees
    (:meth:`discriminator_view`) and what validation reports (:meth:`validate`). Optimisation,
    schedules, EMA, the non-finite guard, resume, DDP and checkpoints never depend on the task.

    Attributes:
        name: the registered name.
        generator_needs: the conditioning kinds the task feeds the generator; a generator whose
            ``Capabilities.conditioning`` lacks one of them does not fit.
        discriminator_needs: the same for the discriminator.
    """

    @property
    def name(self) -> str:
        """The registered name."""
        ...

    @property
    def generator_needs(self) -> frozenset[ConditioningKind]:
        """The conditioning kinds fed to the generator."""
        ...

    @property
    def discriminator_needs(self) -> frozenset[ConditioningKind]:
        """The conditioning kinds fed to the discriminator."""
        ...

    def prepare(self, batch: Mapping[str, Any], normaliser: Normaliser) -> TaskBatch:
        """Turn a collated batch in sensor units into normalised inputs, target and conditioning."""
        ...

    def generate(self, generator: Generator, batch: TaskBatch) -> Tensor:
        """Run the generator; returns the output the losses compare with ``batch.target``.

        A compositing task returns the composite (known pixels kept exactly), so gradients reach
        only the generated pixels.
        """
        ...

    def discriminator_view(
        self, image: Tensor, batch: TaskBatch
    ) -> tuple[Tensor, Conditioning | None]:
        """What the discriminator scores for ``image`` (a real target or a generated output).

        Returns the image (possibly transformed) and the discriminator's conditioning.
        """
        ...

    def validate(
        self,
        batch: Mapping[str, Any],
        prepared: TaskBatch,
        output: Tensor,
        normaliser: Normaliser,
        data_range: float,
    ) -> TaskValidation:
        """Metrics of ``output`` (and of the task's baselines) against the target, and a preview.

        ``batch`` is the raw batch in sensor units, ``prepared`` what :meth:`prepare` made of it and
        ``output`` what :meth:`generate` returned, still normalised.
        """
        ...


@runtime_checkable
class ValidationMetric(Protocol):
    """A metric of a whole validation run (LPIPS, DISTS, FID, KID), opt-in through the spec.

    It accumulates over the run's batches and reports one value per *stream*: ``""`` for the
    model's output and ``"_<baseline>"`` for each of the task's baselines (``_bicubic``). Under DDP,
    :meth:`compute` combines every rank's state (torchmetrics synchronisation), so each rank gets
    the same values. Its weights never enter a training checkpoint.

    Attributes:
        higher_is_better: whether a larger value means a better output.
    """

    higher_is_better: bool

    def to(self, device: torch.device) -> ValidationMetric:
        """Move the metric's networks and state to ``device``; returns the metric."""
        ...

    def update(self, outputs: Mapping[str, Tensor], target: Tensor, data_range: float) -> None:
        """Add one batch of ``outputs`` by stream (``""``, ``"_bicubic"``, …) against ``target``.

        Every tensor is ``[B, C, *S]`` in sensor units within ``[0, data_range]``.
        """
        ...

    def compute(self) -> dict[str, Tensor]:
        """The value of each stream seen since :meth:`reset` (a scalar tensor per stream)."""
        ...

    def reset(self) -> None:
        """Forget every accumulated batch."""
        ...


@runtime_checkable
class MaskGenerator(Protocol):
    """Draws hole masks for inpainting and gap-filling, in 2D and 3D.

    ``mask_generator(shape, rng, sample=None) -> holes[1, *shape]``: float32, 1 where pixels are
    missing (to be generated) and 0 where they are known. The mask depends only on ``shape``, the
    state of ``rng`` (a :class:`numpy.random.Generator`) and, for masks read from the data, on
    ``sample`` (e.g. its nodata ``mask``), so a seeded ``rng`` gives the same mask every time.
    """

    name: str

    def __call__(
        self, shape: Sequence[int], rng: np.random.Generator, sample: Sample | None = None
    ) -> Tensor:
        """Return a hole mask ``[1, *shape]`` (1 = missing)."""
        ...


@runtime_checkable
class HoleFilling(Protocol):
    """A task whose samples carry hole masks (inpainting, gap-filling).

    The composition root wraps the run's datasets so that every sample gets ``holes`` drawn by
    ``masks`` with ``mask_seed`` (see :class:`gan_engine.data.holes.samples.HoleSelector`).
    """

    @property
    def masks(self) -> MaskGenerator:
        """The mask generator drawing each sample's holes."""
        ...

    @property
    def mask_seed(self) -> int:
        """The seed of every mask."""
        ...
