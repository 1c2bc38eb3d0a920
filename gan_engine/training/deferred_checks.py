"""Finiteness flags kept on the device and read back in batches, so steps never wait for them.

Each update records whether its loss terms and gradients were finite as a device tensor (no host
synchronisation) together with what is needed to name the culprit later. :meth:`PendingChecks.flush`
reads every pending flag with one transfer and replays them, in order, through the
:class:`~gan_engine.training.guard.NonFiniteGuard`, which counts skips and raises as its policy says.
The update itself is protected on the device: a fused optimiser given ``found_inf`` leaves the
weights and its state untouched when the flag is set (see :func:`skip_if_nonfinite`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

import attrs
import torch
from torch import Tensor
from torch.optim import Optimizer

from gan_engine.training.guard import Network, NonFiniteGuard, first_nonfinite


def all_finite(values: Iterable[Tensor]) -> Tensor:
    """A 0-dim bool tensor: every element of every value is finite (computed on the device)."""
    flags = [torch.isfinite(value.detach()).all() for value in values]
    if not flags:
        return torch.tensor(True)
    return torch.stack(flags).all()


def supports_found_inf(optimiser: Optimizer) -> bool:
    """Whether ``optimiser`` skips its step on the device when given ``found_inf`` (fused kernels)."""
    return bool(getattr(optimiser, "_step_supports_amp_scaling", False))


@contextmanager
def skip_if_nonfinite(optimiser: Optimizer, finite: Tensor) -> Iterator[None]:
    """Within the block, ``optimiser.step()`` is a no-op on the device where ``finite`` is false.

    Uses the ``found_inf`` protocol of fused optimisers (the one ``GradScaler`` drives): no host
    synchronisation, and the optimiser's step count is left as it was.
    """
    optimiser.found_inf = (~finite).to(torch.float32)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del optimiser.found_inf  # type: ignore[attr-defined]


@attrs.define
class _Record:
    network: Network
    step: int
    values: list[Mapping[str, Tensor]]
    losses_finite: Tensor
    finite: Tensor


class PendingChecks:
    """The finiteness flags of updates not yet seen by the host.

    Args:
        guard: applies the non-finite policy when the flags are read.
    """

    def __init__(self, guard: NonFiniteGuard) -> None:
        self.guard = guard
        self._records: list[_Record] = []

    def __len__(self) -> int:
        return len(self._records)

    def record(
        self,
        network: Network,
        step: int,
        values: list[Mapping[str, Tensor]],
        losses_finite: Tensor,
        finite: Tensor,
    ) -> None:
        """Remember one update: its batches' named loss values and device flags (losses, overall)."""
        detached: list[Mapping[str, Tensor]] = [
            {name: value.detach() for name, value in batch.items()} for batch in values
        ]
        self._records.append(_Record(network, step, detached, losses_finite, finite))

    def flush(self) -> None:
        """Read every pending flag (one host synchronisation) and apply the policy in order.

        Raises:
            NonFiniteLossError: as the guard's policy decides, naming the first non-finite term of
                the update that triggered it (or its gradients) and that update's step.
        """
        if not self._records:
            return
        records, self._records = self._records, []
        flags = torch.stack([torch.stack([r.losses_finite, r.finite]) for r in records]).cpu()
        for record, (losses_ok, ok) in zip(records, flags.tolist(), strict=True):
            if ok:
                self.guard.good(record.network)
                continue
            if losses_ok:
                term = f"{record.network} gradients"
                message = f"{record.network} gradients are not finite at step {record.step}"
            else:
                found = (first_nonfinite(batch, record.step) for batch in record.values)
                term, message = next((f for f in found if f is not None), None) or (
                    f"{record.network} total",
                    f"loss term '{record.network} total' is not finite at step {record.step}",
                )
            self.guard.bad(record.network, term, message, record.step)
