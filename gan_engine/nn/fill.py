"""Classical hole filling, the baseline inpainting networks are compared with (as bicubic for SR).

- :func:`biharmonic_fill`: scikit-image's biharmonic inpainting (``inpaint_biharmonic``), per sample,
  2D only; the classical reference for images.
- :func:`harmonic_fill`: solves Laplace's equation inside the holes (known pixels fixed) by Jacobi
  iterations on a coarse-to-fine pyramid, in torch, for any number of bands, in 2D and 3D. The
  result is the smoothest fill that meets the known pixels at the hole's border (a membrane instead
  of biharmonic's thin plate); it is the documented equivalent for volumes and many bands.

:func:`composite` puts a network's output into the holes of its input. The fills take
``image[B, C, *S]`` and ``holes[B, 1 or C, *S]`` (1 = missing) and return a filled copy
whose known pixels equal the input exactly.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

JACOBI_STEPS = 64
"""Jacobi iterations per pyramid level of :func:`harmonic_fill` (the coarse levels carry the rest)."""


def composite(image: Tensor, output: Tensor, holes: Tensor) -> Tensor:
    """``output`` inside the holes, ``image`` elsewhere, exactly.

    ``image`` and ``output`` are ``[B, C, *S]``; ``holes`` is ``[B, 1 or C, *S]`` (> 0.5 = missing).
    """
    return torch.where(holes > 0.5, output, image)


def _check(image: Tensor, holes: Tensor, owner: str) -> Tensor:
    if image.ndim not in (4, 5):
        msg = f"{owner}: expected image [B, C, H, W] or [B, C, D, H, W], got {tuple(image.shape)}"
        raise ValueError(msg)
    if (
        holes.ndim != image.ndim
        or holes.shape[0] != image.shape[0]
        or holes.shape[2:] != image.shape[2:]
    ):
        msg = (
            f"{owner}: holes must be [B, 1 or C, *S] matching image {tuple(image.shape)}, got "
            f"{tuple(holes.shape)}"
        )
        raise ValueError(msg)
    if holes.shape[1] not in (1, image.shape[1]):
        msg = f"{owner}: holes must have 1 or {image.shape[1]} channels, got {holes.shape[1]}"
        raise ValueError(msg)
    return (holes > 0.5).expand_as(image)


def _neighbour_mean(x: Tensor) -> Tensor:
    """Mean of the ``2 · dims`` face neighbours of every pixel of ``x[B, C, *S]`` (edges replicated)."""
    dims = x.ndim - 2
    padded = F.pad(x, [1, 1] * dims, mode="replicate")
    total = torch.zeros_like(x)
    for axis in range(2, x.ndim):
        for start in (0, 2):
            index = [slice(None), slice(None)]
            index += [
                slice(start, start + x.shape[a]) if a == axis else slice(1, 1 + x.shape[a])
                for a in range(2, x.ndim)
            ]
            total = total + padded[tuple(index)]
    return total / (2 * dims)


def _known_mean(image: Tensor, missing: Tensor) -> Tensor:
    """Per-sample, per-band mean of the known pixels (0 where a band has none)."""
    known = (~missing).to(image.dtype)
    axes = tuple(range(2, image.ndim))
    total = (image * known).sum(dim=axes, keepdim=True)
    return total / known.sum(dim=axes, keepdim=True).clamp(min=1.0)


def harmonic_fill(image: Tensor, holes: Tensor, steps: int = JACOBI_STEPS) -> Tensor:
    """Fill ``holes`` in ``image[B, C, *S]`` with the harmonic (Laplace) interpolant of its border.

    Coarse to fine: each level starts from the upsampled solution of the half-size level, then runs
    ``steps`` Jacobi iterations with the known pixels held fixed. Known pixels are returned exactly.
    """
    missing = _check(image, holes, "harmonic_fill")
    with torch.no_grad():
        filled = _solve(image.float(), missing, steps)
    return torch.where(missing, filled.to(image.dtype), image)


def _solve(image: Tensor, missing: Tensor, steps: int) -> Tensor:
    if min(image.shape[2:]) >= 4 and bool(missing.any()):
        pool = F.avg_pool2d if image.ndim == 4 else F.avg_pool3d
        known = (~missing).to(image.dtype)
        known_small = pool(known, 2, ceil_mode=True)
        image_small = pool(image * known, 2, ceil_mode=True) / known_small.clamp(min=1e-6)
        coarse = _solve(image_small, known_small < 1e-6, steps)
        start = F.interpolate(coarse, size=image.shape[2:], mode="nearest")
    else:
        start = _known_mean(image, missing).expand_as(image)
    current = torch.where(missing, start, image)
    for _ in range(steps):
        current = torch.where(missing, _neighbour_mean(current), image)
    return current


def biharmonic_fill(image: Tensor, holes: Tensor) -> Tensor:
    """Fill ``holes`` in a 2D ``image[B, C, H, W]`` with scikit-image's ``inpaint_biharmonic``.

    Runs on the CPU in float64, one sample at a time (bands together when the mask is shared).
    Raises ``ValueError`` for volumes: use :func:`harmonic_fill` there.
    """
    missing = _check(image, holes, "biharmonic_fill")
    if image.ndim != 4:
        msg = f"biharmonic_fill: 2D images only, got {tuple(image.shape)}; use harmonic_fill for volumes"
        raise ValueError(msg)
    from skimage.restoration import inpaint_biharmonic

    array = image.detach().to("cpu", torch.float64).numpy()
    masks = missing.detach().cpu().numpy()
    out = array.copy()
    for b in range(array.shape[0]):
        for c in range(array.shape[1]):
            if masks[b, c].any() and not masks[b, c].all():
                out[b, c] = inpaint_biharmonic(array[b, c], masks[b, c])
    filled = torch.from_numpy(np.ascontiguousarray(out)).to(image.device, image.dtype)
    return torch.where(missing, filled, image)
