"""``clip_alignment``: how well generated images match their prompts, as a local CLIP sees them.

``1 - cos(CLIP_image(sr), CLIP_text(prompt))`` averaged over the samples that have a prompt. CLIP
takes RGB: the run's data must have 3 bands, or ``channels`` names the 3 bands shown as R, G, B;
other band counts are refused when the spec is checked. 2D only.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import torch
import torch.nn.functional as F
from torch import Tensor

from gan_engine.errors import InvalidParamError, WeightsNotFoundError
from gan_engine.losses.bands import check_channel_options
from gan_engine.losses.frozen import FrozenHolder
from gan_engine.losses.perceptual_base import check_value_range, to_pair
from gan_engine.open_clip_checkpoint import check_checkpoint_folder, load_open_clip
from gan_engine.protocols import LossContext
from gan_engine.registry import Capabilities, register_loss
from gan_engine.types import BuildContext

NAME = "clip_alignment"


def _folder(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"expected the path of an open_clip checkpoint folder, got {value!r}"
        raise InvalidParamError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class ClipAlignmentParams:
    """Parameters of the ``clip_alignment`` loss.

    Attributes:
        path: open_clip checkpoint folder (``open_clip_config.json`` and weights; nothing is
            downloaded).
        value_range: ``[low, high]`` of the normalised images the loss sees (mapped to ``[0, 1]``).
        channels: 3 band indices shown to CLIP as R, G, B (e.g. ``[3, 2, 1]`` for Sentinel-2
            B4/B3/B2); ``None`` for 3-band data used as is.
    """

    path: str = attrs.field(validator=_folder)
    value_range: tuple[float, float] = attrs.field(
        default=(-1.0, 1.0), converter=to_pair, validator=check_value_range
    )
    channels: list[int] | None = None

    def __attrs_post_init__(self) -> None:
        check_channel_options(self.channels, False, 3)

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """RGB (or 3 selected bands) in 2D, and a checkpoint folder that exists."""
        errors: list[InvalidParamError] = []
        if context.spatial_dims != 2:
            msg = f"CLIP sees 2D images, the run has spatial_dims={context.spatial_dims}"
            errors.append(InvalidParamError("spatial_dims", msg))
        bands = context.channels
        if self.channels is None and bands != 3:
            msg = (
                f"CLIP sees RGB images, but the run's data has {bands} band(s): give channels, "
                "the 3 band indices shown as R, G, B (e.g. [3, 2, 1] for Sentinel-2 B4, B3, B2)"
            )
            errors.append(InvalidParamError("channels", msg))
        beyond = [index for index in self.channels or [] if index >= bands]
        if beyond:
            msg = f"names bands {beyond}, but the run's data has {bands} bands"
            errors.append(InvalidParamError("channels", msg))
        try:
            check_checkpoint_folder(self.path, NAME)
        except WeightsNotFoundError as error:
            errors.append(InvalidParamError("path", str(error)))
        return errors


@register_loss(
    NAME, params=ClipAlignmentParams, capabilities=Capabilities(spatial_dims=frozenset({2}))
)
class ClipAlignmentLoss(FrozenHolder):
    """Prompt alignment under a frozen local CLIP: ``mean(1 - cos(image, prompt))``.

    ``sr[B, 3 or C, H, W]`` in ``value_range``; prompts come from ``context.metadata`` (one dict
    with a ``"prompt"`` per sample). Samples with an empty prompt (dropout) do not count. CLIP's
    text features are computed once per distinct prompt and kept (on the CPU).
    """

    name = NAME

    def __init__(self, params: ClipAlignmentParams) -> None:
        super().__init__()
        self.params = params
        bundle = load_open_clip(params.path, NAME)
        self.freeze("clip", bundle.model)
        self._tokenizer = bundle.tokenizer
        self.image_size = bundle.image_size
        self.register_buffer("mean", torch.tensor(bundle.image_mean), persistent=False)
        self.register_buffer("std", torch.tensor(bundle.image_std), persistent=False)
        self._text: dict[str, Tensor] = {}

    mean: Tensor
    std: Tensor

    def text_features(self, prompts: Sequence[str]) -> Tensor:
        """Unit-norm CLIP text features ``[B, E]`` of ``prompts``, each computed once."""
        model = self.frozen("clip")
        missing = list(dict.fromkeys(p for p in prompts if p not in self._text))
        if missing:
            with torch.no_grad():
                tokens = self._tokenizer(missing).to(self.mean.device)
                features = F.normalize(model.encode_text(tokens), dim=-1)  # type: ignore[operator]
            for prompt, feature in zip(missing, features, strict=True):
                self._text[prompt] = feature.cpu()
        return torch.stack([self._text[p] for p in prompts]).to(self.mean.device)

    def image_features(self, images: Tensor) -> Tensor:
        """Unit-norm CLIP image features ``[B, E]`` of ``images[B, C, H, W]`` in ``value_range``."""
        if images.ndim != 4:
            msg = f"{NAME}: expected [B, C, H, W] images, got {tuple(images.shape)}"
            raise ValueError(msg)
        channels = self.params.channels
        if channels is not None:
            images = images[:, channels]
        elif images.shape[1] != 3:
            msg = f"{NAME}: CLIP sees RGB images, got {images.shape[1]} bands and no channels"
            raise ValueError(msg)
        low, high = self.params.value_range
        unit = (images - low) / (high - low)
        resized = F.interpolate(unit, size=self.image_size, mode="bilinear", align_corners=False)
        pixels = (resized - self.mean[:, None, None]) / self.std[:, None, None]
        features: Tensor = self.frozen("clip").encode_image(pixels)  # type: ignore[operator]
        return F.normalize(features, dim=-1)

    def similarity(self, images: Tensor, prompts: Sequence[str]) -> Tensor:
        """Cosine similarity ``[B]`` of each image with its prompt (the alignment score)."""
        return (self.image_features(images) * self.text_features(prompts)).sum(dim=-1)

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """``mean(1 - cos)`` over samples with a non-empty prompt (0 when none has one)."""
        prompts = prompts_of(context, len(sr))
        keep = [index for index, prompt in enumerate(prompts) if prompt]
        if not keep:
            return sr.sum() * 0.0
        chosen = sr[keep] if len(keep) < len(prompts) else sr
        similarity = self.similarity(chosen, [prompts[index] for index in keep])
        return (1.0 - similarity).mean()


def prompts_of(context: LossContext, batch: int) -> list[str]:
    """The batch's prompts from ``context.metadata``; a clear error when they are missing."""
    metadata = context.metadata
    if metadata is None or len(metadata) != batch:
        msg = (
            f"{NAME}: needs the prompts of the batch in context.metadata (one dict with a "
            "'prompt' per sample); use it with a text-conditioned task"
        )
        raise ValueError(msg)
    prompts = [entry.get("prompt") for entry in metadata]
    if any(not isinstance(prompt, str) for prompt in prompts):
        msg = f"{NAME}: every sample's metadata needs a 'prompt' string, got {prompts}"
        raise ValueError(msg)
    return [str(prompt) for prompt in prompts]
