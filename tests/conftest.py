"""Shared test settings: Hypothesis profiles and small-thread torch."""

from __future__ import annotations

import os

import torch
from hypothesis import settings

# Small examples and no deadline: a first forward pass pays one-off costs (kernel selection, allocation).
settings.register_profile("dev", deadline=None, max_examples=10)
# CI is derandomised so a failure reproduces from the log alone.
settings.register_profile("ci", deadline=None, max_examples=10, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Two test workers share two cores: one thread each avoids oversubscription.
if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(1)

# The layout probe's cache (gan_engine.hardware.probe) goes to a per-session folder, never the user's.
if "GAN_ENGINE_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["GAN_ENGINE_CACHE_DIR"] = tempfile.mkdtemp(prefix="gan-engine-test-cache-")
