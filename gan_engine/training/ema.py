"""A generator-only exponential moving average of weights, kept outside the generator.

Lightning's own weight-averaging callback averages the whole LightningModule (the discriminator too);
this one follows the generator alone. The average lives in plain tensors shaped like the generator's
(same devices, dtypes and memory formats), never registered as parameters: the optimiser, DDP and the
``state_dict`` do not see it. Checkpoints carry it separately (keys of the generator's own
``state_dict``), and :meth:`GeneratorEMA.swap_in` / :meth:`GeneratorEMA.restore` put the averaged
weights into the generator for validation or prediction and the raw ones back, bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn

from gan_engine.training.config import EMAConfig


def ema_decay(step: int, config: EMAConfig) -> float:
    """The decay applied after generator step ``step`` (counted from 1); 0 means "copy the weights".

    0 up to ``update_after_step``; then ``decay``, or with ``warmup`` ``min(decay, (1+n)/(10+n))`` where
    ``n = step − update_after_step − 1``.
    """
    if step <= config.update_after_step:
        return 0.0
    if not config.warmup:
        return config.decay
    n = step - config.update_after_step - 1
    return min(config.decay, (1 + n) / (10 + n))


class GeneratorEMA:
    """The moving average of one generator's weights (parameters averaged, buffers copied).

    Call :meth:`attach` once the generator is on its device and in its final memory format, then
    :meth:`update` after every generator optimiser step.
    """

    def __init__(self, config: EMAConfig) -> None:
        self.config = config
        self.average: dict[str, Tensor] = {}
        self._averaged: list[str] = []
        self._backup: dict[str, Tensor] | None = None
        self._pending: dict[str, Tensor] | None = None

    @property
    def attached(self) -> bool:
        """Whether :meth:`attach` has made the average."""
        return bool(self.average)

    @property
    def swapped(self) -> bool:
        """Whether the generator currently holds the averaged weights."""
        return self._backup is not None

    def attach(self, generator: nn.Module) -> None:
        """Make the average like ``generator``'s tensors (device, dtype, memory format).

        Its values are a loaded state if one is pending, else the average so far if there is one (a
        second ``fit``, perhaps on another device), else the generator's current weights.
        """
        live = generator.state_dict(keep_vars=True)
        parameters = {id(p) for p in generator.parameters()}
        self._averaged = [
            key
            for key, value in live.items()
            if id(value) in parameters and value.is_floating_point()
        ]
        previous = self.average
        self.average = {key: value.detach().clone() for key, value in live.items()}
        if previous.keys() == self.average.keys():
            with torch.no_grad():
                for key, value in self.average.items():
                    value.copy_(previous[key])
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.load_state_dict(pending)

    def state_dict(self) -> dict[str, Tensor]:
        """The averaged weights under the generator's ``state_dict`` keys (no prefix)."""
        if self._pending is not None:
            return dict(self._pending)
        return {key: value.detach() for key, value in self.average.items()}

    def load_state_dict(self, state: Mapping[str, Tensor]) -> None:
        """Load averaged weights (strictly: the same keys as the generator's ``state_dict``).

        Before :meth:`attach` the state is kept and applied when the average is made.
        """
        if not self.attached:
            self._pending = dict(state)
            return
        missing = sorted(set(self.average) - set(state))
        unexpected = sorted(set(state) - set(self.average))
        if missing or unexpected:
            msg = (
                f"the checkpoint's EMA generator does not match the generator: missing {missing}, "
                f"unexpected {unexpected}"
            )
            raise ValueError(msg)
        with torch.no_grad():
            for key, value in self.average.items():
                value.copy_(state[key])

    @torch.no_grad()
    def update(self, generator: nn.Module, step: int) -> None:
        """Move the average towards ``generator``'s weights after generator step ``step``."""
        if not self.attached:
            self.attach(generator)
        live = generator.state_dict(keep_vars=True)
        decay = ema_decay(step, self.config)
        averaged = set(self._averaged)
        if decay == 0.0:
            for key, value in self.average.items():
                value.copy_(live[key])
            return
        if self._averaged:
            targets = [self.average[key] for key in self._averaged]
            sources = [live[key].detach() for key in self._averaged]
            torch._foreach_lerp_(targets, sources, 1.0 - decay)
        for key, value in self.average.items():
            if key not in averaged:
                value.copy_(live[key])

    @torch.no_grad()
    def swap_in(self, generator: nn.Module) -> None:
        """Put the averaged weights into ``generator``, keeping the raw ones aside.

        A no-op while there is no average yet (nothing attached and nothing loaded).
        """
        if not self.attached:
            if self._pending is None:
                return
            self.attach(generator)
        if self.swapped:
            return
        live = generator.state_dict(keep_vars=True)
        self._backup = {key: live[key].detach().clone() for key in self.average}
        for key, value in self.average.items():
            live[key].copy_(value)

    @torch.no_grad()
    def restore(self, generator: nn.Module) -> None:
        """Put the raw weights back after :meth:`swap_in` (a no-op otherwise)."""
        if self._backup is None:
            return
        live = generator.state_dict(keep_vars=True)
        for key, value in self._backup.items():
            live[key].copy_(value)
        self._backup = None

    def raw_weights(self) -> dict[str, Tensor] | None:
        """The raw weights set aside by :meth:`swap_in`, or ``None`` when not swapped."""
        return self._backup
