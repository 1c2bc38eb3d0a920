"""Inference: seam-free tiled prediction of rasters, volumes and videos of any size, and model export.

Depends on protocols only (never on a concrete generator or normaliser): build the parts from a
checkpoint with the composition root (``containers.predict.load_predictor``) or pass your own.

* :mod:`~gan_engine.inference.tiler` — N-D overlapping tiles, centre-stitched (exact) or blended.
* :mod:`~gan_engine.inference.tile_memory` — the default tile from a memory budget
  (:mod:`~gan_engine.inference.budget`), each model's memory measured on the meta device.
* :mod:`~gan_engine.inference.predictor` — :class:`Predictor`: arrays and files, streaming, nodata.
* :mod:`~gan_engine.io` — one small reader/writer per format, atomic outputs.
* :mod:`~gan_engine.inference.checkpoint` — what a training checkpoint holds for inference.
* :mod:`~gan_engine.inference.export` — safetensors, TorchScript and ONNX.
* :mod:`~gan_engine.inference.distributed` — many files over devices and nodes with Lightning.
"""

from gan_engine.inference.predictor import PredictionReport, PredictOptions, Predictor
from gan_engine.inference.tiler import Tiler, TilingConfig, tiled_forward

__all__ = [
    "PredictOptions",
    "PredictionReport",
    "Predictor",
    "Tiler",
    "TilingConfig",
    "tiled_forward",
]
