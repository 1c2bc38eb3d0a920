"""The resolved run spec in every logger: hyperparameters (TensorBoard, W&B config) and a text copy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import lightning.pytorch as pl
from lightning.pytorch.loggers import CSVLogger

SPEC_TEXT_TAG = "spec"
"""TensorBoard text tag of the spec."""


@runtime_checkable
class TextWriter(Protocol):
    """What TensorBoard's ``SummaryWriter`` offers for text."""

    def add_text(self, tag: str, text_string: str, global_step: int | None = None) -> Any:
        """Record one text."""
        ...


class SpecSnapshot(pl.Callback):
    """At the start of ``fit`` (rank 0), logs the resolved spec to every logger.

    ``log_hyperparams`` receives the spec as nested data: TensorBoard stores it as hparams (flattened
    to ``Section/key``), W&B as the run's config. TensorBoard also gets the YAML as text under
    ``spec``, readable in its Text tab. CSV loggers are skipped: the run directory already holds
    ``spec.yaml``.

    Args:
        spec: the resolved spec as plain data.
        text: the same spec as YAML text.
    """

    def __init__(self, spec: Mapping[str, Any], text: str) -> None:
        super().__init__()
        self.spec = dict(spec)
        self.text = text

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Log the spec once per ``fit`` call."""
        if not trainer.is_global_zero:
            return
        for logger in trainer.loggers:
            if isinstance(logger, CSVLogger):
                continue
            logger.log_hyperparams(self.spec)
            experiment = getattr(logger, "experiment", None)
            if isinstance(experiment, TextWriter):
                # four-space indent: TensorBoard renders text as Markdown, this keeps it verbatim
                block = "\n".join(f"    {line}" for line in self.text.splitlines())
                experiment.add_text(SPEC_TEXT_TAG, block, trainer.global_step)
