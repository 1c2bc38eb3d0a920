"""Per-sample random draws keyed by integer seeds, so a sample's degradation does not depend on its batch.

Scalars (sigmas, angles, choices) are drawn on the CPU from one ``torch.Generator`` per sample; noise
fields are drawn on the batch's device from a generator seeded the same way, so GPU runs never copy
noise from the host. Results are reproducible per seed and device type.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor


def mix_seed(*keys: int) -> int:
    """A 63-bit seed from integer keys (``SeedSequence`` hashing: nearby keys give unrelated seeds)."""
    state = np.random.SeedSequence([int(k) & 0xFFFFFFFFFFFFFFFF for k in keys]).generate_state(2)
    return (int(state[0]) << 31 ^ int(state[1])) & 0x7FFFFFFFFFFFFFFF


def derive_seeds(seeds: Tensor, salt: int) -> Tensor:
    """New per-sample seeds ``[B]`` (int64, CPU) from ``seeds`` and a ``salt`` (e.g. a stage index)."""
    return torch.tensor([mix_seed(int(s), salt) for s in seeds.tolist()], dtype=torch.int64)


def batch_generator(seeds: Tensor, salt: int) -> torch.Generator:
    """One CPU generator for draws shared by the whole batch (keyed by every sample's seed)."""
    return torch.Generator().manual_seed(mix_seed(salt, *[int(s) for s in seeds.tolist()]))


class SampleRandom:
    """Independent random streams, one per sample, for one stage of one batch.

    Args:
        seeds: int64 ``[B]``, one per sample.
        device: where noise fields are drawn and returned.
    """

    def __init__(self, seeds: Tensor, device: torch.device) -> None:
        self.seeds = [int(s) for s in seeds.tolist()]
        self.device = device
        self._cpu = [torch.Generator().manual_seed(s) for s in self.seeds]
        self._fields: list[torch.Generator] | None = None

    def __len__(self) -> int:
        return len(self.seeds)

    def uniform(self, low: float, high: float) -> Tensor:
        """One value per sample in ``[low, high]``, float64 ``[B]`` on the CPU."""
        draws = [torch.rand((), generator=g, dtype=torch.float64) for g in self._cpu]
        return low + (high - low) * torch.stack(draws) if draws else torch.zeros(0)

    def log_uniform(self, low: float, high: float) -> Tensor:
        """One value per sample, log-uniform in ``[low, high]`` (both > 0), float64 ``[B]``."""
        return torch.exp(self.uniform(float(np.log(low)), float(np.log(high))))

    def integers(self, low: int, high: int) -> list[int]:
        """One integer per sample in ``[low, high]`` (inclusive)."""
        return [int(torch.randint(low, high + 1, (), generator=g)) for g in self._cpu]

    def bernoulli(self, p: float) -> Tensor:
        """One bool per sample, True with probability ``p``, ``[B]`` on the CPU."""
        return self.uniform(0.0, 1.0) < p

    def choice(self, weights: Sequence[float]) -> list[int]:
        """One index per sample, index ``i`` with probability ``weights[i]`` (summing to 1)."""
        edges = np.cumsum(weights)
        return [
            min(int(np.searchsorted(edges, u, side="right")), len(weights) - 1)
            for u in self.uniform(0.0, 1.0).tolist()
        ]

    def _field_generators(self) -> list[torch.Generator]:
        if self._fields is None:
            if self.device.type == "cpu":
                self._fields = self._cpu
            else:
                self._fields = [
                    torch.Generator(device=self.device).manual_seed(s) for s in self.seeds
                ]
        return self._fields

    def normal(self, shape: Sequence[int], dtype: torch.dtype = torch.float32) -> Tensor:
        """Standard normal fields ``[B, *shape]`` on the device, each from its sample's stream."""
        return torch.stack(
            [
                torch.randn(tuple(shape), generator=g, dtype=dtype, device=self.device)
                for g in self._field_generators()
            ]
        )

    def rand(self, shape: Sequence[int], dtype: torch.dtype = torch.float32) -> Tensor:
        """Uniform ``[0, 1)`` fields ``[B, *shape]`` on the device, each from its sample's stream."""
        return torch.stack(
            [
                torch.rand(tuple(shape), generator=g, dtype=dtype, device=self.device)
                for g in self._field_generators()
            ]
        )

    def poisson(self, rates: Tensor) -> Tensor:
        """Poisson counts with ``rates[B, ...]`` (≥ 0) per element, each sample from its stream."""
        return torch.stack(
            [
                torch.poisson(rate, generator=g)
                for rate, g in zip(rates, self._field_generators(), strict=True)
            ]
        )
