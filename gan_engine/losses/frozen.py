"""Fixed networks (perceptual backbones) held outside their owner's module tree.

A perceptual loss holds a pretrained network it never trains. Keeping that network out of
``nn.Module._modules`` means it is not in ``state_dict()`` (checkpoints stay small and a parent
module's ``load_state_dict(strict=True)`` neither expects nor rejects backbone keys), not in
``parameters()`` (no optimiser or DDP sees it) and not switched to train mode by a parent. It still
follows ``.to(device)``, ``.half()``, ``.cuda()`` and friends, which all go through ``_apply``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from torch import Tensor, nn


class FrozenHolder(nn.Module):
    """Base class of losses with fixed networks: frozen, always in eval mode, never checkpointed."""

    def __init__(self) -> None:
        super().__init__()
        # A plain dict is not registered by nn.Module.__setattr__: its modules stay outside the tree.
        self._frozen: dict[str, nn.Module] = {}

    def freeze(self, key: str, network: nn.Module) -> nn.Module:
        """Hold ``network`` under ``key``: no gradients, eval mode, outside ``state_dict``."""
        network.requires_grad_(False)
        network.eval()
        self._frozen[key] = network
        return network

    def frozen(self, key: str) -> nn.Module:
        """The network held under ``key``."""
        return self._frozen[key]

    def _apply(self, fn: Callable[[Tensor], Tensor], recurse: bool = True) -> Self:
        # nn.Module._apply is untyped in torch; bind it to a typed name.
        apply_own: Callable[..., object] = super()._apply
        apply_own(fn, recurse)
        for network in self._frozen.values():
            apply_held: Callable[..., object] = network._apply
            apply_held(fn, recurse)
        return self

    def train(self, mode: bool = True) -> Self:
        """Set this module's mode; the held networks stay in eval mode (dropout, batch norm fixed)."""
        super().train(mode)
        for network in self._frozen.values():
            network.eval()
        return self

    def extra_repr(self) -> str:
        """Name the held networks, which ``nn.Module.__repr__`` does not list."""
        held = ", ".join(f"{key}={type(net).__name__}" for key, net in self._frozen.items())
        return f"frozen=[{held}]"
