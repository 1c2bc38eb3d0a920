"""A CSV logger that appends to an existing ``metrics.csv`` instead of deleting it.

Lightning's ``CSVLogger`` removes ``metrics.csv`` when its folder is not empty, which would throw away
a run's history when it is resumed into the same run directory. This one keeps the file: it reads the
existing header, and appends rows (rewriting the header when new columns appear).
"""

from __future__ import annotations

import csv
from pathlib import Path

from lightning.fabric.loggers.csv_logs import _ExperimentWriter as _FabricExperimentWriter
from lightning.fabric.loggers.logger import rank_zero_experiment
from lightning.pytorch.loggers import CSVLogger
from lightning.pytorch.loggers.csv_logs import ExperimentWriter


class AppendingExperimentWriter(ExperimentWriter):
    """Lightning's CSV experiment writer, continuing an existing ``metrics.csv``."""

    def _check_log_dir_exists(self) -> None:
        path = Path(self.metrics_file_path)
        if path.is_file():
            with path.open(newline="") as stream:
                header = next(csv.reader(stream), [])
            self.metrics_keys = sorted(set(header))


class AppendingCSVLogger(CSVLogger):
    """``CSVLogger`` that appends to ``<save_dir>/<name>/<version>/metrics.csv`` across resumed runs."""

    @property
    @rank_zero_experiment
    def experiment(self) -> _FabricExperimentWriter:
        """The experiment writer (created on first use)."""
        if self._experiment is not None:
            return self._experiment
        self._fs.makedirs(self.root_dir, exist_ok=True)
        self._experiment = AppendingExperimentWriter(log_dir=self.log_dir)
        return self._experiment
