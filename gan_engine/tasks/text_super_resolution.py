"""Text-guided super-resolution: a prompt per sample steers how its low-resolution input is resolved.

The task owns the text encoder: prompts (``sample["metadata"]["prompt"]``) are encoded when a batch is
prepared — frozen encoders from their per-prompt cache, never recomputed per step; a trainable
encoder's parameters are the task's, optimised with the generator's and saved in checkpoints. The
generator gets the global embedding and the tokens; the discriminator gets the same conditioning,
detached (a discriminator that declares ``embedding`` reads it, others ignore it). Validation reports
the super-resolution metrics against bicubic, plus the output under a swapped prompt (each sample
gets the next sample's prompt) as a preview row, captions printing both prompts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError
from gan_engine.params import in_range
from gan_engine.protocols import Generator, Normaliser, TaskBatch, TaskValidation, TextEncoder
from gan_engine.registry import TEXT_ENCODERS, Capabilities, Entry, register_task
from gan_engine.tasks.prompts import batch_metadata, mismatched_prompts
from gan_engine.tasks.super_resolution import against_bicubic
from gan_engine.types import BuildContext, Conditioning, ConditioningKind, Preview, SpatialDims

TEXT_NEEDS: frozenset[ConditioningKind] = frozenset({"embedding", "tokens"})


@attrs.frozen(kw_only=True)
class EncoderChoice:
    """A text encoder by registered name and its parameters (``gan-engine components text_encoder``).

    Attributes:
        name: the registered encoder (``bytes``, ``precomputed``, ``open_clip``, a plugin's).
        params: its parameters: a mapping (validated against the encoder's own parameter class
            when the spec loads, which then puts an instance of that class here) or an instance.
        entry: the registry entry of ``name`` when the spec loader looked it up (not an ``__init__``
            argument, not compared); ``None`` when made in Python, and then looked up by ``build``.
    """

    name: str = "bytes"
    params: Any = attrs.field(factory=dict)
    entry: Entry[Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def build(self) -> TextEncoder:
        """The encoder, built from the registry entry the loader kept (or looked up now)."""
        entry = TEXT_ENCODERS.get(self.name) if self.entry is None else self.entry
        params = self.params if attrs.has(type(self.params)) else entry.params_cls(**self.params)
        return entry.factory(params)


@attrs.frozen(kw_only=True)
class TextSuperResolutionParams:
    """Parameters of the ``text_super_resolution`` task.

    Attributes:
        encoder: the text encoder and its parameters.
        matching_weight: weight of the matching-aware discriminator term (a real image with another
            sample's prompt counts as fake); use it with a discriminator that reads embeddings.
    """

    encoder: EncoderChoice = attrs.field(factory=EncoderChoice)
    matching_weight: float = attrs.field(default=0.0, validator=in_range(0.0, 1.0))

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """The encoder is registered (the spec loader validates its parameters in place)."""
        try:
            TEXT_ENCODERS.get(self.encoder.name)
        except LookupError as error:
            return [InvalidParamError("encoder.name", str(error))]
        return []


@register_task(
    "text_super_resolution",
    params=TextSuperResolutionParams,
    capabilities=Capabilities(generator_needs=TEXT_NEEDS),
)
class TextSuperResolution(nn.Module):
    """LR + prompt → SR against HR (see the module docstring).

    Batches hold ``lr``, ``hr`` and ``metadata`` with a ``prompt`` (and an ``id``) per sample, as the
    prompt corpora give them. ``name``, ``generator_needs`` and ``discriminator_needs`` follow the
    :class:`~gan_engine.protocols.Task` protocol.
    """

    name = "text_super_resolution"
    generator_needs = TEXT_NEEDS
    _encoder: TextEncoder
    discriminator_needs: frozenset[ConditioningKind] = frozenset()

    def __init__(
        self,
        spatial_dims: SpatialDims,
        channels: int,
        scale: int,
        params: TextSuperResolutionParams | None = None,
    ) -> None:
        super().__init__()
        params = TextSuperResolutionParams() if params is None else params
        for error in params.check(BuildContext(spatial_dims, channels, scale)):
            raise error
        self.spatial_dims = spatial_dims
        self.channels = channels
        self.scale = scale
        self.params = params
        encoder = params.encoder.build()
        if not isinstance(encoder, nn.Module):
            msg = f"text encoder '{params.encoder.name}' is not an nn.Module"
            raise TypeError(msg)
        self.encoder = encoder
        # the same object, protocol-typed, kept out of ``_modules`` (no duplicate checkpoint keys)
        object.__setattr__(self, "_encoder", encoder)
        self.matching_weight = params.matching_weight

    def prepare(self, batch: Mapping[str, Any], normaliser: Normaliser) -> TaskBatch:
        """Normalise ``lr``/``hr`` and encode the prompts into the generator's conditioning."""
        inputs = normaliser.normalise(batch["lr"], "lr")
        metadata = batch_metadata(batch.get("metadata"), inputs.shape[0], self.name)
        prompts = [str(entry["prompt"]) for entry in metadata]
        ids = [str(entry.get("id", "")) for entry in metadata]
        encoded = self._encoder.encode(prompts, ids)
        cond = Conditioning(
            embedding=_to(encoded.embedding, inputs),
            tokens=_to(encoded.tokens, inputs),
            token_mask=None if encoded.token_mask is None else encoded.token_mask.to(inputs.device),
        )
        return TaskBatch(
            inputs=inputs,
            target=normaliser.normalise(batch["hr"], "hr"),
            cond=cond,
            mask=batch.get("mask"),
            metadata=metadata,
        )

    def generate(self, generator: Generator, batch: TaskBatch) -> Tensor:
        """Super-resolve the input as its prompt says."""
        return generator(batch.inputs, batch.cond)

    def discriminator_view(
        self, image: Tensor, batch: TaskBatch
    ) -> tuple[Tensor, Conditioning | None]:
        """The image and its prompt's conditioning, detached (the discriminator never trains the encoder)."""
        return image, _detached(batch.cond)

    def mismatched(self, batch: TaskBatch) -> tuple[Conditioning, Tensor]:
        """The batch's prompts rolled by one sample (detached), and which samples really got another."""
        cond = _detached(batch.cond)
        if cond is None:
            msg = f"{self.name}: the batch has no conditioning to swap"
            raise ValueError(msg)
        return mismatched_prompts(cond)

    def validate(
        self,
        batch: Mapping[str, Any],
        prepared: TaskBatch,
        output: Tensor,
        normaliser: Normaliser,
        data_range: float,
    ) -> TaskValidation:
        """SR metrics vs bicubic; preview LR | bicubic | SR | SR (swapped prompt) | HR with prompts."""
        lr_raw, hr_raw = batch["lr"], batch["hr"]
        sr_raw = normaliser.denormalise(output, "hr").float()
        metrics, baseline = against_bicubic(sr_raw, lr_raw, hr_raw, self.scale, data_range)
        images = {"lr": lr_raw, "bicubic": baseline, "sr": sr_raw, "hr": hr_raw}
        columns: list[tuple[str, Tensor]] = [("LR", lr_raw), ("bicubic", baseline), ("SR", sr_raw)]
        prompts = [str(entry["prompt"]) for entry in prepared.metadata or []]
        captions = [repr(prompt) for prompt in prompts]
        swapped = prepared.variants.get("swapped")
        if swapped is not None:
            swapped_raw = normaliser.denormalise(swapped, "hr").float()
            images["sr_swapped"] = swapped_raw
            columns.append(("SR, swapped prompt", swapped_raw))
            others = prompts[-1:] + prompts[:-1]  # the rolled prompt each sample was given
            captions = [f"{p!r} | swapped: {o!r}" for p, o in zip(prompts, others, strict=True)]
        columns.append(("HR", hr_raw))
        preview = Preview(columns=tuple(columns), captions=tuple(captions) if captions else None)
        return TaskValidation(
            metrics=metrics,
            images=images,
            preview=preview,
            headline="psnr",
            prediction=sr_raw,
            reference=hr_raw,
            baselines={"bicubic": baseline},
        )


def _to(tensor: Tensor | None, like: Tensor) -> Tensor | None:
    return None if tensor is None else tensor.to(device=like.device, dtype=like.dtype)


def _detached(cond: Conditioning | None) -> Conditioning | None:
    if cond is None:
        return None
    return attrs.evolve(
        cond,
        embedding=None if cond.embedding is None else cond.embedding.detach(),
        tokens=None if cond.tokens is None else cond.tokens.detach(),
    )
