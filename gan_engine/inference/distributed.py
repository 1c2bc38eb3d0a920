"""Spreading many files over devices and nodes with Lightning: each rank predicts its own share.

``Trainer.predict`` runs :class:`FilePredictionModule`, whose data loader yields indices into the job
list, split across ranks by :class:`RankShardSampler` (rank ``r`` of ``n`` takes jobs ``r, r + n, …``:
every file exactly once, none padded or repeated, unlike ``DistributedSampler``). ``predict_step``
writes each file on its rank. Build the Trainer with ``use_distributed_sampler=False`` so Lightning
keeps this sampler.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import lightning.pytorch as pl
from torch.utils.data import DataLoader, Dataset, Sampler

from gan_engine.inference.predictor import PredictionReport, Predictor, ProgressFactory


@attrs.frozen
class FileJob:
    """One input file, the output it becomes and, for hole-filling models, its mask file."""

    source: Path
    target: Path
    mask: Path | None = None


class RankShardSampler(Sampler[int]):
    """Indices ``rank, rank + world_size, …`` below ``count``: disjoint shares that cover every index."""

    def __init__(self, count: int, rank: int, world_size: int) -> None:
        if world_size < 1 or not 0 <= rank < world_size:
            msg = f"need 0 <= rank < world_size, got rank={rank}, world_size={world_size}"
            raise ValueError(msg)
        self.indices = range(rank, count, world_size)

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)


IDLE = -1
"""The placeholder job index of a rank without files."""


class _Idle(Sampler[int]):
    def __iter__(self) -> Iterator[int]:
        return iter([IDLE])

    def __len__(self) -> int:
        return 1


class _JobIndices(Dataset[int]):
    def __init__(self, count: int) -> None:
        self.count = count

    def __getitem__(self, index: int) -> int:
        return index

    def __len__(self) -> int:
        return self.count


class FilePredictionModule(pl.LightningModule):
    """Predicts files inside ``Trainer.predict``; returns one :class:`PredictionReport` per file.

    Args:
        predictor: the model and tiling; its network is registered here, so Lightning moves it to
            each rank's device.
        jobs: every file of the run (all ranks get the same list and take their share).
        overwrite: replace existing outputs.
        progress: makes a progress bar per file.
    """

    def __init__(
        self,
        predictor: Predictor,
        jobs: Sequence[FileJob],
        *,
        overwrite: bool = False,
        progress: ProgressFactory | None = None,
    ) -> None:
        super().__init__()
        self.model = predictor.model
        self.predictor = predictor
        self.jobs = tuple(jobs)
        self.overwrite = overwrite
        self.progress = progress

    def predict_dataloader(self) -> DataLoader[int]:
        """This rank's share of the job indices, one per step.

        A rank with no share (fewer files than ranks) gets the placeholder :data:`IDLE`, which
        ``predict_step`` skips: Lightning refuses a data loader of length zero.
        """
        sampler: Sampler[int] = RankShardSampler(
            len(self.jobs), self.global_rank, self.trainer.world_size
        )
        if len(sampler) == 0:  # type: ignore[arg-type]
            sampler = _Idle()
        return DataLoader(_JobIndices(len(self.jobs)), batch_size=None, sampler=sampler)

    def predict_step(self, batch: int, batch_idx: int) -> PredictionReport | None:
        """Predict the file at job index ``batch`` and write its output (nothing for :data:`IDLE`)."""
        if int(batch) == IDLE:
            return None
        job = self.jobs[int(batch)]
        return self.predictor.predict_file(
            job.source,
            job.target,
            overwrite=self.overwrite,
            progress=self._progress(),
            mask_path=job.mask,
        )

    def _progress(self) -> ProgressFactory | None:
        factory, world = self.progress, self.trainer.world_size
        if factory is None or world == 1:
            return factory
        rank = self.global_rank
        return lambda name, total: factory(f"[rank {rank}/{world}] {name}", total)
