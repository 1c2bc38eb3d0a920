"""What fitted normalisers read from samples: the valid pixels of one branch, and re-iterable input.

``fit(samples)`` takes a re-iterable collection: every ``iter(samples)`` starts a fresh pass that
re-reads the samples (from disk), so a normaliser may take several passes (a range, then a
histogram) and nothing is ever gathered in memory. A one-shot iterator (a generator, ``iter(x)``) is
refused with a message saying so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import torch
from torch import Tensor

from gan_engine.types import Branch, Sample


def require_reiterable(samples: Iterable[Sample], who: str) -> Iterable[Sample]:
    """Return ``samples`` unless it is a one-shot iterator, for which ``TypeError`` is raised."""
    if isinstance(samples, Iterator):
        msg = (
            f"{who}.fit needs a re-iterable collection of samples (each iter() re-reads them, e.g. "
            f"gan_engine.data.fit_samples.DatasetSamples(dataset)), got the one-shot iterator "
            f"{type(samples).__name__}"
        )
        raise TypeError(msg)
    return samples


def _block_min(mask: Tensor, factors: tuple[int, ...]) -> Tensor:
    """Minimum of ``mask`` ``[*S]`` over non-overlapping blocks of ``factors``: ``[*(S / factors)]``."""
    shape: list[int] = []
    for size, factor in zip(mask.shape, factors, strict=True):
        shape += [size // factor, factor]
    blocks = mask.reshape(shape)
    return blocks.amin(dim=tuple(range(1, 2 * len(factors), 2)))


def _mask_for(sample: Sample, branch: Branch, spatial: tuple[int, ...]) -> Tensor | None:
    """The validity mask ``[*spatial]`` of ``branch``, from the HR-resolution ``mask`` if present."""
    mask = sample.get("mask")
    if mask is None:
        return None
    valid = mask.reshape(mask.shape[-len(spatial) :]) > 0.5
    if tuple(valid.shape) == spatial:
        return valid
    factors = tuple(m // s for m, s in zip(valid.shape, spatial, strict=True))
    if any(f < 1 or f * s != m for f, s, m in zip(factors, spatial, valid.shape, strict=True)):
        msg = (
            f"a mask of shape {tuple(mask.shape)} does not cover a {branch} image of size {spatial}"
        )
        raise ValueError(msg)
    # An LR pixel counts only when every HR pixel it covers is valid.
    return _block_min(valid.to(torch.uint8), factors).bool()


def valid_values(sample: Sample, branch: Branch, channels: int) -> Tensor:
    """The values ``[C, N]`` (float64) of the pixels of ``sample[branch]`` that count for statistics.

    A pixel counts when every channel is finite and, if the sample has a ``mask`` (HR resolution,
    1 = valid), the mask marks it valid; an LR pixel needs all the HR pixels it covers to be valid.
    """
    image = sample[branch]
    if image.ndim < 2 or image.shape[0] != channels:
        msg = (
            f"expected a {branch} sample of shape [{channels}, *S], got {tuple(image.shape)}; "
            "fit reads unbatched samples"
        )
        raise ValueError(msg)
    values = image.detach().to(device="cpu", dtype=torch.float64).reshape(channels, -1)
    keep = torch.isfinite(values).all(dim=0)
    mask = _mask_for(sample, branch, tuple(image.shape[1:]))
    if mask is not None:
        keep &= mask.to("cpu").reshape(-1)
    return values[:, keep]
