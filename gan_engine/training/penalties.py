"""Gradient penalties on the discriminator.

R1 (Mescheder et al. 2018, "Which training methods for GANs do actually converge?") penalises the
squared norm of the discriminator's gradient on *real* data, which keeps it from overshooting where
the data lives. The trainer adds ``gamma / 2 · r1_penalty(...)`` to the discriminator loss, usually
every ``k`` discriminator steps ("lazy" R1, multiplying ``gamma`` by ``k``)::

    hr = hr.detach().requires_grad_(True)
    real_logits = discriminator(hr)
    d_loss = adversarial.discriminator_loss(real_logits, fake_logits)
    d_loss = d_loss + gamma / 2 * r1_penalty(hr, real_logits)
    d_loss.backward()

Under ``16-mixed`` precision compute ``real_logits`` inside autocast as usual: the penalty casts the
gradient to float32 before squaring. The penalty's backward needs the graph of ``real_logits``, which
it keeps (``create_graph=True``).
"""

from __future__ import annotations

import torch
from torch import Tensor


def r1_penalty(real_images: Tensor, real_logits: Tensor) -> Tensor:
    """R1: the batch mean of ``‖∇ₓ D(x)‖²`` over real images ``x``.

    Args:
        real_images: ``[B, C, *S]`` real batch with ``requires_grad=True``, the very tensor the
            discriminator was called on.
        real_logits: ``D(real_images)``, ``[B, 1]`` or ``[B, 1, *S']``; patch logits are summed per
            sample (the gradient of their sum).

    Returns:
        A 0-dim float32 tensor, differentiable with respect to the discriminator's parameters.
        Multiply by ``gamma / 2`` (``gamma`` about 0.1–10 depending on the data scale).

    Raises:
        ValueError: ``real_images`` does not require grad, or ``real_logits`` was not computed from it.
    """
    if not real_images.requires_grad:
        msg = (
            "r1_penalty: real_images must require grad: call "
            "`real = real.detach().requires_grad_(True)` before `real_logits = D(real)`"
        )
        raise ValueError(msg)
    if real_logits.grad_fn is None:
        msg = "r1_penalty: real_logits has no autograd graph; compute it from real_images with grad on"
        raise ValueError(msg)
    gradients = torch.autograd.grad(
        outputs=real_logits.sum(), inputs=real_images, create_graph=True, allow_unused=True
    )
    gradient: Tensor | None = gradients[0]  # None when unused, despite torch's annotation
    if gradient is None:
        msg = "r1_penalty: real_logits does not depend on real_images"
        raise ValueError(msg)
    return gradient.float().square().flatten(1).sum(dim=1).mean()
