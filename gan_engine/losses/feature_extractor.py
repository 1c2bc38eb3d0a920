"""A perceptual loss on a user-supplied feature extractor (``package.module:callable``).

For domains where ImageNet features are a poor fit (multispectral, medical, microscopy), users plug
in their own network. ``extractor`` names either

* a *builder* (``factory: true``, the default): an ``nn.Module`` subclass or a function, called once at
  construction with ``extractor_kwargs``, returning an ``nn.Module``; or an ``nn.Module`` instance;
* a *feature function* (``factory: false``): ``f(x) -> Tensor | list[Tensor]``, called on every batch.

The network's output — one feature map or a list of them — is compared between ``sr`` and ``hr``.
Networks are frozen, kept in eval mode and held outside the loss's ``state_dict``; load their weights
in the builder.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Self

import attrs
import torch
from torch import Tensor, nn

from gan_engine.errors import GanEngineError, InvalidParamError
from gan_engine.losses.bands import channel_options_problem, check_channels_fit, select_bands
from gan_engine.losses.frozen import FrozenHolder
from gan_engine.losses.perceptual_base import Criterion, check_criterion, feature_distance
from gan_engine.losses.reduction import validate_weights
from gan_engine.losses.slices import over_slices
from gan_engine.params import at_least
from gan_engine.protocols import LossContext
from gan_engine.registry import register_loss
from gan_engine.types import BuildContext

FeatureFunction = Callable[[Tensor], Any]

_KEY = "extractor"


def import_callable(path: str) -> Any:
    """Resolve ``package.module:attr.sub`` to the object it names; raise InvalidParamError."""
    module_name, colon, attr = path.partition(":")
    if not colon or not module_name or not attr:
        msg = f"expected 'package.module:callable', got {path!r}"
        raise InvalidParamError(_KEY, msg)
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as error:  # any import failure is the user's module's: report it with the key
        msg = f"cannot import '{module_name}': {type(error).__name__}: {error}"
        raise InvalidParamError(_KEY, msg) from error
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            msg = f"module '{module_name}' has no attribute '{attr}'"
            raise InvalidParamError(_KEY, msg) from None
    if not callable(target):
        msg = f"'{path}' is not callable ({type(target).__name__})"
        raise InvalidParamError(_KEY, msg)
    return target


def _build(builder: Callable[..., Any], params: FeatureParams) -> Any:
    try:
        return builder(**params.extractor_kwargs)
    except GanEngineError:
        raise  # already says what the user must fix (e.g. missing weights)
    except Exception as error:  # the user's builder failed: name it, keep the cause
        msg = (
            f"calling '{params.extractor}' with extractor_kwargs {params.extractor_kwargs} failed: "
            f"{type(error).__name__}: {error} (set factory: false if it is a feature function)"
        )
        raise InvalidParamError(_KEY, msg) from error


def _check_channels(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    problem = channel_options_problem(value, False, None)
    if problem is not None:
        raise problem


@attrs.frozen(kw_only=True)
class FeatureParams:
    """Parameters of :class:`FeatureLoss`.

    Attributes:
        extractor: ``package.module:callable`` (see the module docstring).
        factory: whether ``extractor`` builds the network (true) or is the feature function (false).
        extractor_kwargs: keyword arguments of the builder.
        layer_weights: one weight per returned feature map (``None``: equal weights); the loss is the
            weighted mean of the per-map distances.
        criterion: distance between feature maps, ``l1`` or ``l2``.
        channels: band indices fed to the extractor (any number); ``None``: all bands.
        random_channels: feed ``random_count`` distinct random bands per step instead.
        random_count: how many bands ``random_channels`` draws.
        volumetric: the extractor takes 3D volumes ``[B, C, D, H, W]``; otherwise 3D inputs are
            evaluated 2.5D, slice by slice along each axis.
        max_slices: 2.5D only: at most this many random slices per axis; ``None``: all.
    """

    extractor: str
    factory: bool = True
    extractor_kwargs: dict[str, Any] = attrs.field(factory=dict)
    layer_weights: list[float] | None = attrs.field(default=None, validator=validate_weights)
    criterion: Criterion = attrs.field(default="l1", validator=check_criterion)
    channels: list[int] | None = attrs.field(default=None, validator=_check_channels)
    random_channels: bool = False
    random_count: int = attrs.field(default=3, validator=at_least(1))
    volumetric: bool = False
    max_slices: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(at_least(1))
    )

    def __attrs_post_init__(self) -> None:
        problem = channel_options_problem(self.channels, self.random_channels, None)
        if problem is not None:
            raise problem

    def check(self, context: BuildContext) -> list[InvalidParamError]:
        """The band options must fit the run's band count."""
        count = self.random_count if self.random_channels else None
        return check_channels_fit(self.channels, self.random_channels, count, context)

    @classmethod
    def tiny(cls) -> Self:
        """``torch.nn.Identity`` as the extractor: the loss reduces to a pixel L1 (contract tests)."""
        return cls(extractor="torch.nn:Identity", max_slices=2)


@register_loss("feature", params=FeatureParams)
class FeatureLoss(FrozenHolder):
    """Weighted mean distance between a custom extractor's features of ``sr`` and ``hr``.

    Inputs ``[B, C, *S]`` (2D, or 3D either natively with ``volumetric`` or 2.5D) are passed without
    rescaling: the extractor receives the normalised data. With ``context.mask``, ``sr`` is replaced by
    ``hr`` at invalid pixels. ≥ 0, and 0 on identical inputs.
    """

    name = "feature"

    def __init__(self, params: FeatureParams | None = None) -> None:
        super().__init__()
        if params is None:
            msg = "feature: params with an 'extractor' ('package.module:callable') are required"
            raise TypeError(msg)
        self.params = params
        target = import_callable(params.extractor)
        self._function: FeatureFunction | None = None
        if not params.factory and not isinstance(target, nn.Module):
            self._function = target
            return
        network = target if isinstance(target, nn.Module) else _build(target, params)
        if not isinstance(network, nn.Module):
            msg = (
                f"'{params.extractor}' built a {type(network).__name__}, expected a torch.nn.Module "
                f"(set factory: false if it is a feature function)"
            )
            raise InvalidParamError(_KEY, msg)
        self.freeze("extractor", network)

    def _features(self, x: Tensor) -> list[Tensor]:
        output = self._function(x) if self._function is not None else self.frozen("extractor")(x)
        maps = [output] if isinstance(output, Tensor) else list(output)
        if not maps or not all(isinstance(item, Tensor) for item in maps):
            kind = type(output).__name__
            msg = f"feature: the extractor must return a Tensor or a list of Tensors, got {kind}"
            raise TypeError(msg)
        return maps

    def _term(self, sr: Tensor, hr: Tensor) -> Tensor:
        features_sr = self._features(sr)
        with torch.no_grad():
            features_hr = self._features(hr)
        weights = self.params.layer_weights
        if weights is not None and len(weights) != len(features_sr):
            msg = (
                f"feature: layer_weights has {len(weights)} values but the extractor returned "
                f"{len(features_sr)} feature maps"
            )
            raise ValueError(msg)
        distances = torch.stack(
            [
                feature_distance(self.params.criterion, a, b)
                for a, b in zip(features_sr, features_hr, strict=True)
            ]
        )
        if weights is None:
            return distances.mean()
        w = torch.tensor(weights, dtype=distances.dtype, device=distances.device)
        return (w * distances).sum() / w.sum()

    def forward(self, sr: Tensor, hr: Tensor, context: LossContext) -> Tensor:
        """Return the weighted mean feature distance as a 0-dim tensor."""
        if sr.shape != hr.shape:
            msg = f"feature: sr and hr must have the same shape, got {tuple(sr.shape)} and {tuple(hr.shape)}"
            raise ValueError(msg)
        if context.mask is not None:
            sr = torch.where(context.mask.to(torch.bool), sr, hr)
        p = self.params
        sr, hr = select_bands(
            self.name,
            sr,
            hr,
            channels=p.channels,
            random_channels=p.random_channels,
            count=p.random_count if p.random_channels else None,
        )
        if p.volumetric:
            return self._term(sr, hr)
        return over_slices(self._term, sr, hr, p.max_slices)
