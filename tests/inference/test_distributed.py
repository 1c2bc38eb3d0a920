from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from gan_engine.inference.distributed import IDLE, FileJob, FilePredictionModule, RankShardSampler
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.normalisers.scale import FixedScaleNormaliser
from tests.inference.models import tiny_srresnet


@given(st.integers(0, 40), st.integers(1, 8))
def test_rank_shares_are_disjoint_and_cover_every_file(count: int, world: int) -> None:
    shares = [list(RankShardSampler(count, rank, world)) for rank in range(world)]
    flat = [index for share in shares for index in share]
    assert sorted(flat) == list(range(count))
    assert all(
        len(share) == len(RankShardSampler(count, r, world)) for r, share in enumerate(shares)
    )
    assert max(map(len, shares)) - min(map(len, shares)) <= 1


def test_single_process_trainer_predicts_every_job_and_idles_cleanly(tmp_path: Path) -> None:
    import lightning.pytorch as pl

    jobs = []
    for index in range(3):
        source = tmp_path / f"{index}.png"
        Image.fromarray(np.full((12, 14, 3), 40 * index, dtype=np.uint8)).save(source)
        jobs.append(FileJob(source=source, target=tmp_path / "out" / source.name))
    predictor = Predictor(
        tiny_srresnet(2, 3, 2, tail_gain=1.0), FixedScaleNormaliser(3), options=PredictOptions()
    )
    module = FilePredictionModule(predictor, jobs)
    assert module.predict_step(IDLE, 0) is None
    trainer = pl.Trainer(
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        use_distributed_sampler=False,
    )
    reports = trainer.predict(module)
    assert reports is not None
    assert [report.source for report in reports] == [job.source for job in jobs]  # type: ignore[union-attr]
    assert all(job.target.is_file() for job in jobs)
