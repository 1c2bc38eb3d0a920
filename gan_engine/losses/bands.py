"""Choosing which bands of a multi-band input a perceptual network sees.

ImageNet backbones take 3 bands. For ``C`` input bands: ``channels`` fixes 3 band indices (e.g. the
RGB bands of a Sentinel-2 stack), ``random_channels`` draws 3 distinct bands per call (each step
sees another false-colour composite), ``C == 3`` is used as is and ``C == 1`` is repeated to 3 bands.
Anything else needs one of the two options. ``sr`` and ``hr`` always get the same bands.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from gan_engine.errors import InvalidParamError
from gan_engine.types import BuildContext


def select_bands(
    name: str,
    sr: Tensor,
    hr: Tensor,
    *,
    channels: Sequence[int] | None,
    random_channels: bool,
    count: int | None,
) -> tuple[Tensor, Tensor]:
    """Return ``sr`` and ``hr`` ``[B, C, *S]`` reduced (or repeated) to the network's bands.

    Args:
        name: the loss name, quoted in errors.
        sr: generated batch.
        hr: reference batch, same shape.
        channels: fixed band indices, or ``None``.
        random_channels: draw ``count`` distinct bands per call (from torch's global generator).
        count: the number of bands the network takes (3 for ImageNet backbones); ``None`` means any
            number, so inputs pass unchanged unless ``channels`` or ``random_channels`` says otherwise.

    Raises:
        ValueError: an index beyond the input's bands, or a band count the network cannot take
            without ``channels``/``random_channels``; the message gives both counts.
    """
    bands = sr.shape[1]
    if channels is not None:
        beyond = [index for index in channels if index >= bands]
        if beyond:
            msg = f"{name}: channels {list(channels)} name bands {beyond}, but the input has {bands} bands"
            raise ValueError(msg)
        index = torch.tensor(list(channels), device=sr.device)
        return sr.index_select(1, index), hr.index_select(1, index)
    if count is not None and bands == 1 and count > 1:
        shape = (-1, count, *([-1] * (sr.ndim - 2)))
        return sr.expand(shape), hr.expand(shape)
    if random_channels:
        wanted = count if count is not None else bands
        if bands < wanted:
            msg = (
                f"{name}: random_channels draws {wanted} distinct bands, but the input has {bands}"
            )
            raise ValueError(msg)
        index = torch.randperm(bands)[:wanted].to(sr.device)
        return sr.index_select(1, index), hr.index_select(1, index)
    if count is None or bands == count:
        return sr, hr
    msg = (
        f"{name}: the network takes {count} bands but the input has {bands}; set channels to {count} "
        f"band indices (e.g. {list(range(count))}) or random_channels: true"
    )
    raise ValueError(msg)


def channel_options_problem(
    channels: Sequence[int] | None, random_channels: bool, count: int | None
) -> InvalidParamError | None:
    """What is wrong with the band options on their own, or ``None``."""
    if channels is None:
        return None
    if not channels:
        return InvalidParamError("channels", "expected at least one band index, got []")
    if count is not None and len(channels) != count:
        return InvalidParamError(
            "channels", f"expected {count} band indices, got {len(channels)}: {list(channels)}"
        )
    for position, index in enumerate(channels):
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            return InvalidParamError(f"channels.{position}", f"must be an int >= 0, got {index!r}")
    if random_channels:
        return InvalidParamError(
            "random_channels", "cannot be true together with fixed channels; choose one"
        )
    return None


def check_channel_options(
    channels: Sequence[int] | None, random_channels: bool, count: int | None
) -> None:
    """Raise the :func:`channel_options_problem`, if any (for ``__attrs_post_init__``)."""
    problem = channel_options_problem(channels, random_channels, count)
    if problem is not None:
        raise problem


def check_channels_fit(
    channels: Sequence[int] | None, random_channels: bool, count: int | None, context: BuildContext
) -> list[InvalidParamError]:
    """Spec-time check of the band options against the run's band count."""
    bands = context.channels
    if channels is not None:
        beyond = [index for index in channels if index >= bands]
        if beyond:
            return [
                InvalidParamError(
                    "channels", f"names bands {beyond}, but the run's data has {bands} bands"
                )
            ]
        return []
    if count is None or bands == 1 or bands == count:
        return []
    if random_channels:
        if bands < count:
            return [
                InvalidParamError(
                    "random_channels",
                    f"draws {count} distinct bands, but the run's data has {bands}",
                )
            ]
        return []
    return [
        InvalidParamError(
            "channels",
            f"the network takes {count} bands but the run's data has {bands}: give {count} band "
            f"indices or set random_channels: true",
        )
    ]
