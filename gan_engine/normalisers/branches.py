"""One normaliser per branch: low-resolution inputs and high-resolution targets may differ."""

from __future__ import annotations

from collections.abc import Iterable

from torch import Tensor, nn

from gan_engine.normalisers.sample_values import require_reiterable
from gan_engine.protocols import Normaliser
from gan_engine.types import Branch, Sample


class PerBranchNormaliser(nn.Module):
    """Dispatches ``[B, C, *S]`` batches to ``lr`` or ``hr`` by branch; itself a Normaliser.

    Both sides are registered as submodules when they are modules, so their buffers travel in
    ``state_dict`` under ``lr.*`` and ``hr.*`` and follow ``.to(device)``. Not registered: the
    composition root builds it from the spec's ``Normalisation.lr`` and ``Normalisation.hr``.
    """

    lr: Normaliser
    hr: Normaliser

    def __init__(self, lr: Normaliser, hr: Normaliser) -> None:
        super().__init__()
        # nn.Module.__setattr__ registers modules as submodules and stores anything else plainly.
        self.lr = lr
        self.hr = hr

    def _side(self, branch: Branch) -> Normaliser:
        # Branch is a Literal, but callers outside mypy's view may pass any string.
        side = {"lr": self.lr, "hr": self.hr}.get(branch)
        if side is None:
            msg = f"branch must be 'lr' or 'hr', got {branch!r}"
            raise ValueError(msg)
        return side

    def normalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Sensor units → network range with the normaliser of ``branch``."""
        return self._side(branch).normalise(x, branch)

    def denormalise(self, x: Tensor, branch: Branch) -> Tensor:
        """Network range → sensor units with the normaliser of ``branch``."""
        return self._side(branch).denormalise(x, branch)

    def fit(self, samples: Iterable[Sample]) -> None:
        """Fit both sides on the same re-iterable ``samples`` (each reads the branch it needs).

        ``samples`` is passed unchanged to both sides, and each may iterate it several times; it is
        never gathered into memory. One-shot iterators are refused.

        Raises:
            TypeError: ``samples`` is a one-shot iterator (a generator, ``iter(...)``).
        """
        samples = require_reiterable(samples, type(self).__name__)
        self.lr.fit(samples)
        self.hr.fit(samples)
