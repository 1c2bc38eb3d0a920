"""Real-world degradations: registered stages composed into a batched, per-sample-seeded pipeline.

Stages work on batches in ``[0, 1]`` of the data range, for any band count, in 2D and 3D, on the device
the batch is on. :class:`~gan_engine.degradations.pipeline.StagePipeline` chains them and converts
from and to sensor units.
"""
